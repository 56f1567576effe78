namespace OpenVeracruz.Platform.Catalog;

/// <summary>A licence as CKAN's license_list describes it.</summary>
public sealed record License(string Id, string Title, string Url, bool OpenData, string Family);

public static class Licenses
{
    public static readonly IReadOnlyList<License> All =
    [
        new("inegi-libre-uso", "Términos de libre uso de la información del INEGI", "https://www.inegi.org.mx/inegi/terminos.html", true, "INEGI"),
        new("cc-by-4.0", "Creative Commons Atribución 4.0", "https://creativecommons.org/licenses/by/4.0/deed.es", true, "Creative Commons"),
        new("cc-by-sa-4.0", "Creative Commons Atribución-CompartirIgual 4.0", "https://creativecommons.org/licenses/by-sa/4.0/deed.es", true, "Creative Commons"),
        new("cc-zero", "Creative Commons CC0 (dominio público)", "https://creativecommons.org/publicdomain/zero/1.0/deed.es", true, "Creative Commons"),
        new("odc-odbl", "Open Data Commons Open Database License (ODbL)", "https://opendatacommons.org/licenses/odbl/1-0/", true, "Open Data Commons"),
        new("mx-datos-abiertos", "Términos de Libre Uso MX (datos.gob.mx)", "https://datos.gob.mx/libreusomx", true, "Gobierno de México"),
        new("other-closed", "Otra (no abierta)", "", false, ""),
    ];

    public static License? Find(string id) => All.FirstOrDefault(l => l.Id == id);
}
