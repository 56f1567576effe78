using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>One page of the public catalog, as the DCAT endpoints hand it to <see cref="Dcat.Catalog"/>.</summary>
public sealed record CatalogPage(IReadOnlyList<Dataset> Datasets, int Page, int PageSize, int TotalItems, DateTime? Modified, DateTime? Issued,
    Func<int, string> PageUrl);

/// <summary>
/// The catalog in DCAT-AP 3: catalog, datasets (with their publisher, contact point, themes, spatial and temporal coverage,
/// frequency), distributions and the OGC API data service, plus ckanext-dcat's hydra paging — as triples of an <see cref="RdfGraph"/>.
/// </summary>
public static partial class Dcat
{
    public const string ContactEmail = "datos.abiertos@veracruzmunicipio.gob.mx";
    public const string OgcApiFeaturesStandard = "http://www.opengis.net/spec/ogcapi-features-1/1.0";

    private const string EuAuthority = "http://publications.europa.eu/resource/authority/";
    private const string Spanish = EuAuthority + "language/SPA";
    private const string LocalAuthority = "http://purl.org/adms/publishertype/LocalAuthority";

    public static readonly IReadOnlyDictionary<string, string> Prefixes = new Dictionary<string, string>
    {
        ["rdf"] = RdfGraph.RdfNs,
        ["rdfs"] = "http://www.w3.org/2000/01/rdf-schema#",
        ["xsd"] = "http://www.w3.org/2001/XMLSchema#",
        ["dcat"] = "http://www.w3.org/ns/dcat#",
        ["dct"] = "http://purl.org/dc/terms/",
        ["foaf"] = "http://xmlns.com/foaf/0.1/",
        ["vcard"] = "http://www.w3.org/2006/vcard/ns#",
        ["locn"] = "http://www.w3.org/ns/locn#",
        ["gsp"] = "http://www.opengis.net/ont/geosparql#",
        ["hydra"] = "http://www.w3.org/ns/hydra/core#",
    };

    /// <summary>Our groups → EU data themes (http://publications.europa.eu/resource/authority/data-theme).</summary>
    public static readonly IReadOnlyDictionary<string, string> Themes = new Dictionary<string, string>
    {
        ["catastro"] = "REGI",
        ["limites"] = "REGI",
        ["poblacion"] = "SOCI",
    };

    /// <summary>Update frequencies of dataset.json → EU frequencies (http://publications.europa.eu/resource/authority/frequency).</summary>
    public static readonly IReadOnlyDictionary<string, string> Frequencies = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["continua"] = "CONT",
        ["diaria"] = "DAILY",
        ["semanal"] = "WEEKLY",
        ["mensual"] = "MONTHLY",
        ["trimestral"] = "QUARTERLY",
        ["semestral"] = "ANNUAL_2",
        ["anual"] = "ANNUAL",
        ["quinquenal"] = "QUINQUENNIAL",
        ["decenal"] = "DECENNIAL",
        ["irregular"] = "IRREG",
    };

    /// <summary>Media types → EU file types (http://publications.europa.eu/resource/authority/file-type).</summary>
    public static readonly IReadOnlyDictionary<string, string> FileTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["text/csv"] = "CSV",
        ["application/geo+json"] = "GEOJSON",
        ["application/json"] = "JSON",
        ["application/geopackage+sqlite3"] = "GPKG",
        ["application/zip"] = "SHP",
        ["application/vnd.google-earth.kml+xml"] = "KML",
    };

    public static string DatasetIri(string baseUrl, string name) => $"{baseUrl}/dataset/{Uri.EscapeDataString(name)}";
    public static string LandingPage(string baseUrl, string name) => $"{baseUrl}/datos/dataset/{Uri.EscapeDataString(name)}";
    public static string CatalogIri(string baseUrl) => $"{baseUrl}/catalog";

    /// <summary>The OGC API resources are a door to a data service, not a file.</summary>
    public static bool IsOgcApi(Resource r) => r.Format.StartsWith("OGC API", StringComparison.OrdinalIgnoreCase);

    public static string DateTimeValue(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*(\d{4})(?:\s*[-/–]\s*(\d{4}))?\s*$")]
    private static partial Regex YearRange();

    /// <summary>"2020" → 2020-01-01 … 2020-12-31; "2015-2020" → 2015-01-01 … 2020-12-31; anything else → null.</summary>
    public static (DateOnly Start, DateOnly End)? Years(string temporal)
    {
        var m = YearRange().Match(temporal);
        if (!m.Success) return null;
        var from = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var to = m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : from;
        if (from < 1 || to < from || to > 9999) return null;
        return (new DateOnly(from, 1, 1), new DateOnly(to, 12, 31));
    }

    public static RdfGraph NewGraph() => new(Prefixes);

    /// <summary>The catalog node, its datasets and ckanext-dcat's hydra:PagedCollection for the page.</summary>
    public static RdfGraph Catalog(CatalogPage page, string baseUrl)
    {
        var g = NewGraph();
        var catalog = g.Iri(CatalogIri(baseUrl));
        g.Type(catalog, "dcat:Catalog");
        g.Text(catalog, "dct:title", "Catálogo de datos abiertos del municipio de Veracruz", "es");
        g.Text(catalog, "dct:description",
            "Datos abiertos y capas geográficas publicadas por el H. Ayuntamiento de Veracruz (México): catastro, límites y localidades, población. " +
            "Cada conjunto de datos se descarga en CSV y GeoJSON y se consulta por OGC API – Features.", "es");
        var municipality = g.Iri(CatalogIri(baseUrl) + "#ayuntamiento");
        g.Add(catalog, "dct:publisher", municipality);
        Agent(g, municipality, "H. Ayuntamiento de Veracruz");
        Document(g, catalog, "foaf:homepage", $"{baseUrl}/datos");
        Language(g, catalog);
        License(g, catalog, Licenses.Find("cc-by-4.0"));
        g.Link(catalog, "dcat:themeTaxonomy", EuAuthority + "data-theme");
        if (page.Issued is { } issued) g.Text(catalog, "dct:issued", DateTimeValue(issued), datatype: "xsd:dateTime");
        if (page.Modified is { } modified) g.Text(catalog, "dct:modified", DateTimeValue(modified), datatype: "xsd:dateTime");
        foreach (var d in page.Datasets) g.Link(catalog, "dcat:dataset", DatasetIri(baseUrl, d.Name));
        foreach (var d in page.Datasets) Dataset(g, d, baseUrl);

        var lastPage = Math.Max(1, (page.TotalItems + page.PageSize - 1) / page.PageSize);
        var paging = g.Iri(page.PageUrl(page.Page));
        g.Type(paging, "hydra:PagedCollection");
        g.Text(paging, "hydra:totalItems", page.TotalItems.ToString(CultureInfo.InvariantCulture), datatype: "xsd:integer");
        g.Text(paging, "hydra:itemsPerPage", page.PageSize.ToString(CultureInfo.InvariantCulture), datatype: "xsd:integer");
        g.Text(paging, "hydra:firstPage", page.PageUrl(1));
        g.Text(paging, "hydra:lastPage", page.PageUrl(lastPage));
        if (page.Page < lastPage) g.Text(paging, "hydra:nextPage", page.PageUrl(page.Page + 1));
        if (page.Page > 1) g.Text(paging, "hydra:previousPage", page.PageUrl(Math.Min(page.Page - 1, lastPage)));
        return g;
    }

    /// <summary>One dataset with the DCAT-AP 3 mandatory and recommended properties the catalog has.</summary>
    public static void Dataset(RdfGraph g, Dataset d, string baseUrl)
    {
        var datasetIri = DatasetIri(baseUrl, d.Name);
        var ds = g.Iri(datasetIri);
        g.Type(ds, "dcat:Dataset");
        g.Text(ds, "dct:title", d.Title, "es");
        g.Text(ds, "dct:description", string.IsNullOrWhiteSpace(d.Notes) ? d.Title : d.Notes, "es");
        g.Text(ds, "dct:identifier", d.Id.ToString());
        g.Text(ds, "dcat:version", d.Version);

        var org = d.Organization ?? throw new InvalidOperationException($"dataset {d.Name}: organization not loaded");
        var orgIri = $"{baseUrl}/organization/{Uri.EscapeDataString(org.Name)}";
        var publisher = g.Iri(orgIri);
        g.Add(ds, "dct:publisher", publisher);
        Agent(g, publisher, org.Title);
        var contact = g.Iri(orgIri + "#contacto");
        g.Add(ds, "dcat:contactPoint", contact);
        g.Type(contact, "vcard:Organization");
        g.Text(contact, "vcard:fn", org.Title, "es");
        g.Link(contact, "vcard:hasEmail", "mailto:" + ContactEmail);

        foreach (var tag in d.Tags.Select(t => t.Name).Order(StringComparer.Ordinal)) g.Text(ds, "dcat:keyword", tag, "es");
        foreach (var group in d.Groups.Where(x => x.Group is not null).Select(x => x.Group!.Name).Order(StringComparer.Ordinal))
            if (Themes.TryGetValue(group, out var theme)) g.Link(ds, "dcat:theme", EuAuthority + "data-theme/" + theme);

        if (d.Spatial is { } spatial)
        {
            var location = g.Blank();
            g.Add(ds, "dct:spatial", location);
            g.Type(location, "dct:Location");
            var wkt = spatial.AsText();
            g.Text(location, "dcat:bbox", wkt, datatype: "gsp:wktLiteral");
            g.Text(location, "locn:geometry", wkt, datatype: "gsp:wktLiteral");
        }
        if (Years(d.TemporalCoverage) is { } years)
        {
            var period = g.Blank();
            g.Add(ds, "dct:temporal", period);
            g.Type(period, "dct:PeriodOfTime");
            g.Text(period, "dcat:startDate", years.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), datatype: "xsd:date");
            g.Text(period, "dcat:endDate", years.End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), datatype: "xsd:date");
        }
        if (Frequencies.TryGetValue(d.UpdateFrequency.Trim(), out var frequency))
        {
            var f = g.Iri(EuAuthority + "frequency/" + frequency);
            g.Add(ds, "dct:accrualPeriodicity", f);
            g.Type(f, "dct:Frequency");
        }
        g.Text(ds, "dct:issued", DateTimeValue(d.MetadataCreated), datatype: "xsd:dateTime");
        g.Text(ds, "dct:modified", DateTimeValue(d.MetadataModified), datatype: "xsd:dateTime");
        Document(g, ds, "dcat:landingPage", LandingPage(baseUrl, d.Name));
        Document(g, ds, "foaf:page", d.SourceUrl);
        Language(g, ds);
        var access = g.Iri(EuAuthority + "access-right/PUBLIC");
        g.Add(ds, "dct:accessRights", access);
        g.Type(access, "dct:RightsStatement");
        if (!string.IsNullOrWhiteSpace(d.Attribution))
        {
            var provenance = g.Blank();
            g.Add(ds, "dct:provenance", provenance);
            g.Type(provenance, "dct:ProvenanceStatement");
            g.Text(provenance, "rdfs:label", d.Attribution, "es");
        }

        var license = Licenses.Find(d.LicenseId);
        foreach (var r in d.Resources.Where(r => r.State == "active").OrderBy(r => r.Position))
            Distribution(g, ds, datasetIri, r, license, baseUrl);
    }

    private static void Distribution(RdfGraph g, RdfIri ds, string datasetIri, Resource r, License? license, string baseUrl)
    {
        var dist = g.Iri($"{datasetIri}/resource/{r.Id}");
        g.Add(ds, "dcat:distribution", dist);
        g.Type(dist, "dcat:Distribution");
        g.Text(dist, "dct:title", r.Name, "es");
        g.Text(dist, "dct:description", r.Description, "es");
        var url = CkanDictionaries.Absolute(baseUrl, r.Url);
        g.Link(dist, "dcat:accessURL", url);
        if (!IsOgcApi(r)) g.Link(dist, "dcat:downloadURL", url);
        var mime = r.MimeType.Split(';')[0].Trim();
        if (FileTypes.TryGetValue(mime, out var fileType))
        {
            var format = g.Iri(EuAuthority + "file-type/" + fileType);
            g.Add(dist, "dct:format", format);
            g.Type(format, "dct:MediaTypeOrExtent");
        }
        if (mime.Length > 0)
        {
            var mediaType = g.Iri("http://www.iana.org/assignments/media-types/" + mime);
            g.Add(dist, "dcat:mediaType", mediaType);
            g.Type(mediaType, "dct:MediaType");
        }
        License(g, dist, license);
        g.Text(dist, "dct:issued", DateTimeValue(r.Created), datatype: "xsd:dateTime");
        g.Text(dist, "dct:modified", DateTimeValue(r.LastModified), datatype: "xsd:dateTime");
        if (IsOgcApi(r))
        {
            var service = g.Iri($"{baseUrl}/ogc");
            g.Add(dist, "dcat:accessService", service);
            g.Type(service, "dcat:DataService");
            g.Text(service, "dct:title", "OGC API – Features de OpenVeracruz", "es");
            g.Link(service, "dcat:endpointURL", $"{baseUrl}/ogc");
            g.Link(service, "dcat:endpointDescription", $"{baseUrl}/ogc/api");
            g.Link(service, "dct:conformsTo", OgcApiFeaturesStandard);
            g.Add(service, "dcat:servesDataset", ds);
        }
    }

    private static void Agent(RdfGraph g, RdfIri agent, string name)
    {
        g.Type(agent, "foaf:Agent");
        g.Text(agent, "foaf:name", name, "es");
        g.Link(agent, "dct:type", LocalAuthority);
    }

    private static void Document(RdfGraph g, RdfTerm subject, string predicate, string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return;
        var doc = g.Iri(url);
        g.Add(subject, predicate, doc);
        g.Type(doc, "foaf:Document");
    }

    private static void Language(RdfGraph g, RdfTerm subject)
    {
        var lang = g.Iri(Spanish);
        g.Add(subject, "dct:language", lang);
        g.Type(lang, "dct:LinguisticSystem");
    }

    private static void License(RdfGraph g, RdfTerm subject, License? license)
    {
        if (license is null || string.IsNullOrWhiteSpace(license.Url)) return;
        var doc = g.Iri(license.Url);
        g.Add(subject, "dct:license", doc);
        g.Type(doc, "dct:LicenseDocument");
        g.Text(doc, "dct:title", license.Title, "es");
    }
}
