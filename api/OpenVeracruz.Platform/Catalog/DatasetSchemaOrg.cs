using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>
/// The schema.org <c>Dataset</c> of a catalog dataset, for search engines (Google Dataset Search reads it from a
/// <c>&lt;script type="application/ld+json"&gt;</c> in the dataset's page). The dataset needs its organization, tags and
/// resources loaded.
/// </summary>
public static class DatasetSchemaOrg
{
    public static JsonObject Build(Dataset d, string baseUrl)
    {
        var org = d.Organization ?? throw new InvalidOperationException($"dataset {d.Name}: organization not loaded");
        var license = Licenses.Find(d.LicenseId);
        var organization = new JsonObject
        {
            ["@type"] = "Organization",
            ["name"] = org.Title,
            ["url"] = $"{baseUrl}/organization/{Uri.EscapeDataString(org.Name)}",
            ["parentOrganization"] = new JsonObject { ["@type"] = "GovernmentOrganization", ["name"] = "H. Ayuntamiento de Veracruz" },
        };
        var doc = new JsonObject
        {
            ["@context"] = "https://schema.org/",
            ["@type"] = "Dataset",
            ["@id"] = Dcat.DatasetIri(baseUrl, d.Name),
            ["name"] = d.Title,
            ["description"] = string.IsNullOrWhiteSpace(d.Notes) ? d.Title : d.Notes,
            ["url"] = Dcat.LandingPage(baseUrl, d.Name),
            ["identifier"] = d.Id.ToString(),
            ["keywords"] = new JsonArray(d.Tags.Select(t => t.Name).Order(StringComparer.Ordinal).Select(t => (JsonNode)t).ToArray()),
            ["inLanguage"] = "es",
            ["isAccessibleForFree"] = true,
            ["creator"] = organization,
            ["publisher"] = organization.DeepClone(),
            ["datePublished"] = Dcat.DateTimeValue(d.MetadataCreated),
            ["dateModified"] = Dcat.DateTimeValue(d.MetadataModified),
            ["includedInDataCatalog"] = new JsonObject { ["@type"] = "DataCatalog", ["name"] = "Datos abiertos del municipio de Veracruz", ["url"] = $"{baseUrl}/datos" },
        };
        if (license is { Url.Length: > 0 }) doc["license"] = license.Url;
        if (d.Attribution.Length > 0) doc["creditText"] = d.Attribution;
        if (d.SourceUrl.Length > 0) doc["isBasedOn"] = d.SourceUrl;
        if (d.TemporalCoverage.Length > 0) doc["temporalCoverage"] = d.TemporalCoverage;
        if (d.Spatial is { } spatial)
        {
            var env = spatial.EnvelopeInternal;
            string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            doc["spatialCoverage"] = new JsonObject
            {
                ["@type"] = "Place",
                // schema.org's box is "south west north east" as latitude longitude pairs
                ["geo"] = new JsonObject { ["@type"] = "GeoShape", ["box"] = $"{N(env.MinY)} {N(env.MinX)} {N(env.MaxY)} {N(env.MaxX)}" },
            };
        }
        doc["distribution"] = new JsonArray(d.Resources.Where(r => r.State == "active" && !Dcat.IsOgcApi(r)).OrderBy(r => r.Position)
            .Select(r => (JsonNode)new JsonObject
            {
                ["@type"] = "DataDownload",
                ["name"] = r.Name,
                ["contentUrl"] = CkanDictionaries.Absolute(baseUrl, r.Url),
                ["encodingFormat"] = r.MimeType,
            }).ToArray());
        return doc;
    }

    /// <summary>The document as text safe inside an HTML &lt;script&gt; element (&lt;, &gt;, &amp; and non-ASCII escaped as \u).</summary>
    public static string ForHtmlScript(Dataset d, string baseUrl) => Build(d, baseUrl).ToJsonString(HtmlSafe);

    private static readonly JsonSerializerOptions HtmlSafe = new();
}
