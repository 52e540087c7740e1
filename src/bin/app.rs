fn main() {
    yew::Renderer::<ti_export_web::app::App>::new().render();
}
