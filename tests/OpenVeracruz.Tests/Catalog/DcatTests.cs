using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using OpenVeracruz.Platform.Catalog;

namespace OpenVeracruz.Tests.Catalog;

/// <summary>A term of a parsed graph: kind is iri, blank or literal.</summary>
public sealed record ParsedTerm(string Kind, string Value, string? Lang, string? Datatype);

public sealed record ParsedTriple(ParsedTerm S, string P, ParsedTerm O);

/// <summary>What a real RDF parser (Debian's python3-rdflib) read from a document.</summary>
public sealed class ParsedGraph(List<ParsedTriple> triples)
{
    public const string Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    public const string Dcat = "http://www.w3.org/ns/dcat#";
    public const string Dct = "http://purl.org/dc/terms/";
    public const string Hydra = "http://www.w3.org/ns/hydra/core#";
    public const string Locn = "http://www.w3.org/ns/locn#";
    public const string Wkt = "http://www.opengis.net/ont/geosparql#wktLiteral";

    public IReadOnlyList<ParsedTriple> Triples { get; } = triples;

    public List<ParsedTerm> Objects(ParsedTerm subject, string predicate) =>
        Triples.Where(t => t.S == subject && t.P == predicate).Select(t => t.O).ToList();

    public List<ParsedTerm> OfType(string cls) =>
        Triples.Where(t => t.P == Rdf + "type" && t.O.Value == cls).Select(t => t.S).Distinct().ToList();

    public ParsedTerm Single(ParsedTerm subject, string predicate) => Assert.Single(Objects(subject, predicate));

    /// <summary>The triples without blank nodes, as text: comparable between syntaxes (blank node labels are not).</summary>
    public HashSet<string> Ground() =>
        Triples.Where(t => t.S.Kind != "blank" && t.O.Kind != "blank").Select(t => $"{t.S} {t.P} {t.O}").ToHashSet();

    public static ParsedTerm Iri(string value) => new("iri", value, null, null);
}

/// <summary>Parses RDF with rdflib (python3-rdflib from Debian; ./ov test installs it): JSON-LD, Turtle and RDF/XML.</summary>
public static class RdfParser
{
    private const string Python = "/usr/bin/python3";

    private const string Script = """
        import json, sys
        import rdflib
        from rdflib.term import BNode, Literal
        g = rdflib.Graph()
        g.parse(data=sys.stdin.buffer.read(), format=sys.argv[1])
        def term(t):
            if isinstance(t, BNode): return {"kind": "blank", "value": str(t)}
            if isinstance(t, Literal): return {"kind": "literal", "value": str(t), "lang": t.language, "datatype": str(t.datatype) if t.datatype else None}
            return {"kind": "iri", "value": str(t)}
        sys.stdout.buffer.write(json.dumps([{"s": term(s), "p": str(p), "o": term(o)} for s, p, o in g]).encode("ascii"))
        """;

    public static readonly Dictionary<string, string> Formats = new() { ["jsonld"] = "json-ld", ["ttl"] = "turtle", ["rdf"] = "xml" };

    public static async Task<ParsedGraph> ParseAsync(string text, string extension)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing");
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false), StandardOutputEncoding = Encoding.ASCII, UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add(Formats[extension]);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardInput.WriteAsync(text);
        p.StandardInput.Close();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"rdflib could not parse the {extension} document (apt-get install python3-rdflib):\n{await stderr}");
        var opts = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return new ParsedGraph(JsonSerializer.Deserialize<List<ParsedTriple>>(await stdout, opts)!);
    }
}

[Collection(nameof(CatalogReads))]
public class DcatTests(CatalogReads f)
{
    private static readonly string[] Extensions = ["jsonld", "ttl", "rdf"];
    private static readonly string[] MediaTypes = ["application/ld+json", "text/turtle", "application/rdf+xml"];

    private async Task<(ParsedGraph Graph, string Text)> GetAsync(string url)
    {
        var response = await f.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ext = Extensions.Single(e => new Uri(f.BaseUri, url).AbsolutePath.EndsWith("." + e, StringComparison.Ordinal));
        Assert.Equal(MediaTypes[Array.IndexOf(Extensions, ext)], response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        var text = await response.Content.ReadAsStringAsync();
        return (await RdfParser.ParseAsync(text, ext), text);
    }

    private async Task<List<string>> PackageListAsync()
    {
        var (_, json, _) = await f.GetJsonAsync("/api/3/action/package_list");
        return json.GetProperty("result").EnumerateArray().Select(x => x.GetString()!).ToList();
    }

    private string DatasetIri(string name) => $"{f.BaseUri.GetLeftPart(UriPartial.Authority)}/dataset/{name}";

    private static void SameGround(ParsedGraph a, ParsedGraph b)
    {
        // the paging links name their own syntax: /catalog.ttl?page=2
        static HashSet<string> Normal(ParsedGraph g) => g.Ground().Select(t => Regex.Replace(t, @"/catalog\.(jsonld|ttl|rdf)\?", "/catalog.*?")).ToHashSet();
        var (ga, gb) = (Normal(a), Normal(b));
        var diff = ga.Except(gb).Select(x => "- " + x).Concat(gb.Except(ga).Select(x => "+ " + x)).ToList();
        Assert.True(diff.Count == 0, string.Join("\n", diff));
    }

    private static ParsedTerm CatalogNode(ParsedGraph g) => Assert.Single(g.OfType(ParsedGraph.Dcat + "Catalog"));

    [Fact]
    public async Task The_three_syntaxes_parse_to_the_same_graph()
    {
        var graphs = new List<ParsedGraph>();
        foreach (var ext in Extensions) graphs.Add((await GetAsync($"/catalog.{ext}")).Graph);
        Assert.True(graphs[0].Triples.Count > 100, $"only {graphs[0].Triples.Count} triples");
        Assert.All(graphs, g => Assert.Equal(graphs[0].Triples.Count, g.Triples.Count));
        foreach (var g in graphs) SameGround(graphs[0], g);

        var one = new List<ParsedGraph>();
        foreach (var ext in Extensions) one.Add((await GetAsync($"/dataset/predios-sinteticos.{ext}")).Graph);
        Assert.All(one, g => Assert.Equal(one[0].Triples.Count, g.Triples.Count));
        foreach (var g in one) SameGround(one[0], g);
    }

    [Fact]
    public async Task The_catalog_lists_every_public_dataset_with_the_mandatory_properties()
    {
        var names = await PackageListAsync();
        var (g, _) = await GetAsync("/catalog.ttl");
        var catalog = CatalogNode(g);
        Assert.Equal("es", g.Single(catalog, ParsedGraph.Dct + "title").Lang);
        Assert.Equal("es", g.Single(catalog, ParsedGraph.Dct + "description").Lang);
        var publisher = g.Single(catalog, ParsedGraph.Dct + "publisher");
        Assert.Contains(ParsedGraph.Iri("http://xmlns.com/foaf/0.1/Agent"), g.Objects(publisher, ParsedGraph.Rdf + "type"));
        Assert.NotEmpty(g.Objects(catalog, ParsedGraph.Dct + "modified"));

        var datasets = g.OfType(ParsedGraph.Dcat + "Dataset");
        Assert.Equal(names.Select(DatasetIri).Order(), datasets.Select(d => d.Value).Order());
        Assert.Equal(names.Select(DatasetIri).Order(), g.Objects(catalog, ParsedGraph.Dcat + "dataset").Select(d => d.Value).Order());
        foreach (var d in datasets)
        {
            Assert.False(string.IsNullOrWhiteSpace(g.Single(d, ParsedGraph.Dct + "title").Value));
            Assert.False(string.IsNullOrWhiteSpace(g.Single(d, ParsedGraph.Dct + "description").Value));
            Assert.Equal("es", g.Single(d, ParsedGraph.Dct + "description").Lang);
            var distributions = g.Objects(d, ParsedGraph.Dcat + "distribution");
            Assert.NotEmpty(distributions);
            Assert.All(distributions, x => Assert.StartsWith("http", g.Single(x, ParsedGraph.Dcat + "accessURL").Value));
            var contact = g.Single(d, ParsedGraph.Dcat + "contactPoint");
            Assert.Equal("mailto:" + Dcat.ContactEmail, g.Single(contact, "http://www.w3.org/2006/vcard/ns#hasEmail").Value);
            var publisherName = g.Single(g.Single(d, ParsedGraph.Dct + "publisher"), "http://xmlns.com/foaf/0.1/name");
            Assert.Equal("es", publisherName.Lang);
            Assert.EndsWith("/datos/dataset/" + d.Value.Split('/')[^1], g.Single(d, ParsedGraph.Dcat + "landingPage").Value);
        }
    }

    [Fact]
    public async Task Distributions_themes_frequency_and_time_use_the_eu_vocabularies()
    {
        var (g, _) = await GetAsync("/dataset/predios-sinteticos.ttl");
        var d = ParsedGraph.Iri(DatasetIri("predios-sinteticos"));
        Assert.Equal("http://publications.europa.eu/resource/authority/data-theme/REGI", g.Single(d, ParsedGraph.Dcat + "theme").Value);
        Assert.Equal("http://publications.europa.eu/resource/authority/frequency/CONT", g.Single(d, ParsedGraph.Dct + "accrualPeriodicity").Value);
        var period = g.Single(d, ParsedGraph.Dct + "temporal");
        Assert.Contains(ParsedGraph.Iri(ParsedGraph.Dct + "PeriodOfTime"), g.Objects(period, ParsedGraph.Rdf + "type"));
        Assert.Equal("2026-01-01", g.Single(period, ParsedGraph.Dcat + "startDate").Value);
        Assert.Equal("2026-12-31", g.Single(period, ParsedGraph.Dcat + "endDate").Value);
        Assert.Equal("http://www.w3.org/2001/XMLSchema#dateTime", g.Single(d, ParsedGraph.Dct + "modified").Datatype);

        var distributions = g.Objects(d, ParsedGraph.Dcat + "distribution");
        var csv = Assert.Single(distributions, x => g.Objects(x, ParsedGraph.Dcat + "mediaType").Contains(ParsedGraph.Iri("http://www.iana.org/assignments/media-types/text/csv")));
        Assert.EndsWith("/downloads/parcels.csv", g.Single(csv, ParsedGraph.Dcat + "downloadURL").Value);
        Assert.Equal("http://publications.europa.eu/resource/authority/file-type/CSV", g.Single(csv, ParsedGraph.Dct + "format").Value);
        var license = g.Single(csv, ParsedGraph.Dct + "license");
        Assert.Equal(Licenses.Find("cc-by-4.0")!.Url, license.Value);
        Assert.Contains(ParsedGraph.Iri(ParsedGraph.Dct + "LicenseDocument"), g.Objects(license, ParsedGraph.Rdf + "type"));

        var ogc = Assert.Single(distributions, x => g.Objects(x, ParsedGraph.Dcat + "accessService").Count == 1);
        Assert.Empty(g.Objects(ogc, ParsedGraph.Dcat + "downloadURL"));
        var service = g.Single(ogc, ParsedGraph.Dcat + "accessService");
        Assert.Contains(ParsedGraph.Iri(ParsedGraph.Dcat + "DataService"), g.Objects(service, ParsedGraph.Rdf + "type"));
        Assert.EndsWith("/ogc", g.Single(service, ParsedGraph.Dcat + "endpointURL").Value);
        Assert.Equal(Dcat.OgcApiFeaturesStandard, g.Single(service, ParsedGraph.Dct + "conformsTo").Value);
        // the endpoint answers
        Assert.Equal(HttpStatusCode.OK, (await f.Http.GetAsync(g.Single(service, ParsedGraph.Dcat + "endpointURL").Value)).StatusCode);

        var (population, _) = await GetAsync("/dataset/poblacion-municipal-2020.jsonld");
        var p = ParsedGraph.Iri(DatasetIri("poblacion-municipal-2020"));
        Assert.Equal("http://publications.europa.eu/resource/authority/data-theme/SOCI", population.Single(p, ParsedGraph.Dcat + "theme").Value);
        Assert.Equal("http://publications.europa.eu/resource/authority/frequency/DECENNIAL", population.Single(p, ParsedGraph.Dct + "accrualPeriodicity").Value);
    }

    [Fact]
    public async Task Spatial_coverage_is_a_wkt_polygon_covering_veracruz()
    {
        var (g, _) = await GetAsync("/catalog.rdf");
        var zocalo = new Point(-96.1343, 19.2005);
        var reader = new WKTReader();
        foreach (var d in g.OfType(ParsedGraph.Dcat + "Dataset"))
        {
            var location = g.Single(d, ParsedGraph.Dct + "spatial");
            Assert.Contains(ParsedGraph.Iri(ParsedGraph.Dct + "Location"), g.Objects(location, ParsedGraph.Rdf + "type"));
            foreach (var predicate in new[] { ParsedGraph.Locn + "geometry", ParsedGraph.Dcat + "bbox" })
            {
                var wkt = g.Single(location, predicate);
                Assert.Equal(ParsedGraph.Wkt, wkt.Datatype);
                var polygon = Assert.IsType<Polygon>(reader.Read(wkt.Value));
                Assert.True(polygon.IsValid);
                Assert.True(polygon.Contains(zocalo), $"{d.Value}: {wkt.Value} does not cover Veracruz");
                Assert.InRange(polygon.EnvelopeInternal.MinX, -180, 180); // lon lat order (CRS84)
                Assert.InRange(polygon.EnvelopeInternal.MinY, -90, 90);
            }
        }
    }

    [Fact]
    public async Task Paging_walks_every_dataset_once_through_the_next_page_links()
    {
        var names = await PackageListAsync();
        var expectedPages = (names.Count + 1) / 2;
        Assert.True(expectedPages >= 3, "the catalog spans several pages of 2");
        string? url = "/catalog.ttl?page_size=2";
        var seen = new List<string>();
        var pages = 0;
        while (url is not null)
        {
            var (g, _) = await GetAsync(url);
            pages++;
            var paging = Assert.Single(g.OfType(ParsedGraph.Hydra + "PagedCollection"));
            Assert.Equal(names.Count.ToString(), g.Single(paging, ParsedGraph.Hydra + "totalItems").Value);
            Assert.Equal("2", g.Single(paging, ParsedGraph.Hydra + "itemsPerPage").Value);
            Assert.EndsWith("page=1&page_size=2", g.Single(paging, ParsedGraph.Hydra + "firstPage").Value);
            Assert.EndsWith($"page={expectedPages}&page_size=2", g.Single(paging, ParsedGraph.Hydra + "lastPage").Value);
            var previous = g.Objects(paging, ParsedGraph.Hydra + "previousPage");
            if (pages == 1) Assert.Empty(previous);
            else Assert.EndsWith($"page={pages - 1}&page_size=2", Assert.Single(previous).Value);
            var onPage = g.Objects(CatalogNode(g), ParsedGraph.Dcat + "dataset").Select(d => d.Value).ToList();
            Assert.Equal(onPage.Order(), g.OfType(ParsedGraph.Dcat + "Dataset").Select(d => d.Value).Order());
            Assert.InRange(onPage.Count, 1, 2);
            seen.AddRange(onPage);
            url = g.Objects(paging, ParsedGraph.Hydra + "nextPage").SingleOrDefault()?.Value;
            Assert.True(pages <= expectedPages, "the next page links do not end");
        }
        Assert.Equal(expectedPages, pages);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(names.Select(DatasetIri).Order(), seen.Order());

        // past the last page: an empty page, still with its paging node
        var (beyond, _) = await GetAsync("/catalog.jsonld?page=9&page_size=2");
        Assert.Empty(beyond.OfType(ParsedGraph.Dcat + "Dataset"));
        Assert.Single(beyond.OfType(ParsedGraph.Hydra + "PagedCollection"));
        // page_size is capped at 1000
        var (capped, _) = await GetAsync("/catalog.jsonld?page_size=5000");
        Assert.Equal("1000", capped.Single(Assert.Single(capped.OfType(ParsedGraph.Hydra + "PagedCollection")), ParsedGraph.Hydra + "itemsPerPage").Value);
    }

    [Fact]
    public async Task Modified_since_filters_and_rejects_what_is_not_a_date()
    {
        var (future, _) = await GetAsync("/catalog.ttl?modified_since=2999-01-01T00:00:00Z");
        Assert.Empty(future.OfType(ParsedGraph.Dcat + "Dataset"));
        Assert.Equal("0", future.Single(Assert.Single(future.OfType(ParsedGraph.Hydra + "PagedCollection")), ParsedGraph.Hydra + "totalItems").Value);
        var (past, _) = await GetAsync("/catalog.ttl?modified_since=2000-01-01");
        Assert.Equal((await PackageListAsync()).Count, past.OfType(ParsedGraph.Dcat + "Dataset").Count);

        foreach (var bad in new[] { "ayer", "2026-13-45", "01/02/2026" })
        {
            var problem = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync($"/catalog.jsonld?modified_since={Uri.EscapeDataString(bad)}"), HttpStatusCode.BadRequest);
            Assert.Equal("modified_since", problem.GetProperty("parameter").GetString());
        }
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/catalog.ttl?page=0"), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/catalog.ttl?page_size=muchos"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Accents_survive_in_every_syntax()
    {
        foreach (var ext in Extensions)
        {
            var (g, text) = await GetAsync($"/catalog.{ext}");
            Assert.Contains("Población", text);
            var d = ParsedGraph.Iri(DatasetIri("localidades-censo-2020"));
            var title = g.Single(d, ParsedGraph.Dct + "title");
            Assert.Equal("Población por localidad 2020 (Veracruz y Boca del Río)", title.Value);
            Assert.Equal("es", title.Lang);
            Assert.Contains(new ParsedTerm("literal", "población", "es", null), g.Objects(d, ParsedGraph.Dcat + "keyword"));
        }
    }

    [Fact]
    public async Task One_dataset_or_a_404_problem()
    {
        var (g, _) = await GetAsync("/dataset/localidades-zm-veracruz.rdf");
        Assert.Equal([DatasetIri("localidades-zm-veracruz")], g.OfType(ParsedGraph.Dcat + "Dataset").Select(d => d.Value));
        Assert.Equal(2, g.Objects(ParsedGraph.Iri(DatasetIri("localidades-zm-veracruz")), ParsedGraph.Dcat + "theme").Count); // limites and poblacion: REGI, SOCI
        Assert.Empty(g.OfType(ParsedGraph.Dcat + "Catalog"));
        foreach (var ext in Extensions.Append("schema.json"))
            await ProblemAssert.IsProblemAsync(await f.Http.GetAsync($"/dataset/no-existe.{ext}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Schema_org_dataset_for_search_engines()
    {
        var response = await f.Http.GetAsync("/dataset/localidades-censo-2020.schema.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/ld+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var d = doc.RootElement;
        Assert.Equal("https://schema.org/", d.GetProperty("@context").GetString());
        Assert.Equal("Dataset", d.GetProperty("@type").GetString());
        Assert.Equal("Población por localidad 2020 (Veracruz y Boca del Río)", d.GetProperty("name").GetString());
        Assert.True(d.GetProperty("description").GetString()!.Length >= 50, "Google wants a description of 50 characters or more");
        Assert.EndsWith("/datos/dataset/localidades-censo-2020", d.GetProperty("url").GetString());
        Assert.True(d.GetProperty("isAccessibleForFree").GetBoolean());
        Assert.Contains("población", d.GetProperty("keywords").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal("https://www.inegi.org.mx/inegi/terminos.html", d.GetProperty("license").GetString());
        Assert.Equal("Organization", d.GetProperty("creator").GetProperty("@type").GetString());
        Assert.Equal("Dirección de Modernización, Innovación y Gobierno Abierto", d.GetProperty("publisher").GetProperty("name").GetString());
        Assert.Equal("2020", d.GetProperty("temporalCoverage").GetString());
        Assert.True(DateTimeOffset.TryParse(d.GetProperty("dateModified").GetString(), out _));
        var box = d.GetProperty("spatialCoverage").GetProperty("geo").GetProperty("box").GetString()!.Split(' ').Select(double.Parse).ToArray();
        Assert.Equal(4, box.Length);
        Assert.True(box[0] <= 19.2005 && 19.2005 <= box[2] && box[1] <= -96.1343 && -96.1343 <= box[3], "the box (lat lon lat lon) covers Veracruz");
        var distributions = d.GetProperty("distribution").EnumerateArray().ToList();
        // every file download of the dataset; the OGC API is a service, not a download
        var (_, pkg, _) = await f.GetJsonAsync("/api/3/action/package_show?id=localidades-censo-2020");
        var files = pkg.GetProperty("result").GetProperty("resources").EnumerateArray().Count(r => r.GetProperty("url").GetString()!.Contains("/downloads/"));
        Assert.Equal(5, files);
        Assert.Equal(files, distributions.Count);
        foreach (var x in distributions)
        {
            Assert.Equal("DataDownload", x.GetProperty("@type").GetString());
            Assert.StartsWith(f.BaseUri.GetLeftPart(UriPartial.Authority) + "/downloads/", x.GetProperty("contentUrl").GetString());
            Assert.False(string.IsNullOrEmpty(x.GetProperty("encodingFormat").GetString()));
        }
        Assert.Equal(HttpStatusCode.OK, (await f.Http.GetAsync(distributions[0].GetProperty("contentUrl").GetString())).StatusCode);
    }

    [Fact]
    public void Schema_org_for_an_html_script_cannot_close_the_script()
    {
        var org = new Organization { Name = "o", Title = "Área </script><b>" };
        var d = new Dataset { Name = "x", Title = "Título </script>", LicenseId = "cc-by-4.0", Organization = org, Notes = "a & b" };
        var text = DatasetSchemaOrg.ForHtmlScript(d, "https://example.org");
        Assert.DoesNotContain("<", text);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("Título </script>", doc.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Literals_and_iris_are_escaped_in_every_syntax()
    {
        var tricky = "Dijo \"hola\" \\ c:\\ruta\n<etiqueta> & ]]> \t café 🌮 \r\n fin\u0001.";
        var g = Dcat.NewGraph();
        var s = g.Iri("https://example.org/a?x=1&y=<2>");
        g.Text(s, "dct:title", tricky, "es");
        g.Text(s, "dct:description", tricky);
        g.Text(s, "dct:modified", "2026-01-02T03:04:05Z", datatype: "xsd:dateTime");
        g.Add(s, "dct:relation", g.Blank());
        g.Add(s, "http://example.org/vocab#with-dash", g.Iri("urn:x:1"));
        g.Text(s, "dct:title", tricky, "es"); // the same triple twice is one triple
        Assert.Equal(5, g.Triples.Count);
        foreach (var syntax in RdfSyntax.All)
        {
            var parsed = await RdfParser.ParseAsync(syntax.Write(g), syntax.Extension);
            Assert.Equal(5, parsed.Triples.Count);
            var expected = tricky.Replace("\u0001", "");
            var subject = Assert.Single(parsed.Triples.Select(t => t.S).Distinct());
            Assert.Equal("https://example.org/a?x=1&y=%3C2%3E", subject.Value);
            Assert.Equal(new ParsedTerm("literal", expected, "es", null), parsed.Single(subject, ParsedGraph.Dct + "title"));
            Assert.Equal(expected, parsed.Single(subject, ParsedGraph.Dct + "description").Value);
            Assert.Equal("blank", parsed.Single(subject, ParsedGraph.Dct + "relation").Kind);
            Assert.Equal("urn:x:1", parsed.Single(subject, "http://example.org/vocab#with-dash").Value);
        }
    }
}
