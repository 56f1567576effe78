using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Tests.OData;

/// <summary>
/// The door as a real OData client sees it: Microsoft's ODataLib 8 (the library under the .NET OData client, and the
/// reference reader of the protocol) parses $metadata with its CSDL reader and reads feeds, entities and errors
/// against that model, strictly.
/// </summary>
[Collection(nameof(CatalogMembers))]
public class ODataClientTests(CatalogMembers f)
{
    private async Task<IEdmModel> MetadataAsync()
    {
        var response = await f.Http.GetAsync("/odata/$metadata");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        using var xml = XmlReader.Create(await response.Content.ReadAsStreamAsync());
        Assert.True(CsdlReader.TryParse(xml, out var model, out var errors), string.Join("; ", errors ?? []));
        return model;
    }

    /// <summary>An HTTP response as ODataLib's reader takes it.</summary>
    private sealed class Message(HttpResponseMessage response, byte[] body) : IODataResponseMessage
    {
        public IEnumerable<KeyValuePair<string, string>> Headers =>
            response.Headers.Concat(response.Content.Headers).Select(h => KeyValuePair.Create(h.Key, string.Join(", ", h.Value)));
        public int StatusCode { get => (int)response.StatusCode; set => throw new NotSupportedException(); }
        public string? GetHeader(string headerName) => Headers.FirstOrDefault(h => h.Key.Equals(headerName, StringComparison.OrdinalIgnoreCase)).Value;
        public void SetHeader(string headerName, string headerValue) => throw new NotSupportedException();
        public Stream GetStream() => new MemoryStream(body);
    }

    private async Task<ODataMessageReader> ReaderAsync(IEdmModel model, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        // what Power BI and the .NET client ask for
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(f.BaseUri, "/odata/"), url));
        request.Headers.TryAddWithoutValidation("Accept", "application/json;odata.metadata=minimal");
        request.Headers.TryAddWithoutValidation("OData-MaxVersion", "4.0");
        var response = await f.Http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(expected == response.StatusCode, Encoding.UTF8.GetString(body));
        return new ODataMessageReader(new Message(response, body), new ODataMessageReaderSettings { BaseUri = new Uri(f.BaseUri, "/odata/") }, model);
    }

    private sealed record Page(List<Dictionary<string, object?>> Rows, long? Count, Uri? Next);

    private async Task<Page> ReadSetAsync(IEdmModel model, string set, string url)
    {
        var entitySet = model.EntityContainer.FindEntitySet(set);
        using var message = await ReaderAsync(model, url);
        var reader = message.CreateODataResourceSetReader(entitySet, entitySet.EntityType);
        var rows = new List<Dictionary<string, object?>>();
        ODataResourceSet? feed = null;
        while (reader.Read())
        {
            if (reader.State == ODataReaderState.ResourceEnd)
                rows.Add(((ODataResource)reader.Item).Properties.OfType<ODataProperty>().ToDictionary(p => p.Name, p => (object?)p.Value));
            else if (reader.State == ODataReaderState.ResourceSetEnd)
                feed = (ODataResourceSet)reader.Item;
        }
        return new Page(rows, feed!.Count, feed.NextPageLink);
    }

    [Fact]
    public async Task Metadata_parses_and_has_a_typed_entity_set_for_every_registry_layer()
    {
        var model = await MetadataAsync();
        var registry = f.Services.GetRequiredService<LayerRegistry>();
        var sets = model.EntityContainer.EntitySets().ToList();
        Assert.Equal(registry.All.Count(), sets.Count);
        foreach (var layer in registry.All)
        {
            // each layer's set has its key, one property per public field and the geometry as WKT and a point
            var set = Assert.Single(sets, s => s.EntityType.DeclaredKey.Single().Type.IsPrimitive() &&
                s.EntityType.StructuralProperties().Count() == layer.Properties.Count + 3 &&
                s.Name == ExpectedName(layer));
            Assert.Equal("Edm.String", set.EntityType.FindProperty("Wkt").Type.FullName());
            Assert.Equal("Edm.Double", set.EntityType.FindProperty("Longitude").Type.FullName());
        }

        var parcels = model.EntityContainer.FindEntitySet("Parcels").EntityType;
        Assert.Equal("Clave", parcels.DeclaredKey.Single().Name);
        var expected = new Dictionary<string, string>
        {
            ["Clave"] = "Edm.String", ["Zone"] = "Edm.Int64", ["Block"] = "Edm.Int64", ["Lot"] = "Edm.Int64", ["LocalityCvegeo"] = "Edm.String",
            ["Locality"] = "Edm.String", ["LandUse"] = "Edm.String", ["LandAreaM2"] = "Edm.Double", ["BuiltAreaM2"] = "Edm.Double",
            ["ValuationZone"] = "Edm.String", ["ConstructionType"] = "Edm.String", ["LandValue"] = "Edm.Double", ["ConstructionValue"] = "Edm.Double",
            ["CadastralValue"] = "Edm.Double", ["Longitude"] = "Edm.Double", ["Latitude"] = "Edm.Double", ["Wkt"] = "Edm.String",
        };
        Assert.Equal(expected, parcels.StructuralProperties().ToDictionary(p => p.Name, p => p.Type.FullName()));
        var localities = model.EntityContainer.FindEntitySet("Localities").EntityType;
        foreach (var name in new[] { "Cvegeo", "CveMun", "CveLoc", "Name", "Ambito", "Population", "Dwellings", "Altitud", "CveCarta" })
            Assert.NotNull(localities.FindProperty(name));
        Assert.Equal("Edm.Int64", localities.FindProperty("Population").Type.FullName());
        var municipalities = model.EntityContainer.FindEntitySet("Municipalities").EntityType;
        foreach (var name in new[] { "Cvegeo", "CveMun", "Name", "Population", "Dwellings" })
            Assert.NotNull(municipalities.FindProperty(name));

        // the JSON CSDL (OData 4.01) says the same
        var (status, csdl, _) = await f.GetJsonAsync("/odata/$metadata?$format=json");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Edm.Int64", csdl.GetProperty("OpenVeracruz").GetProperty("Parcels").GetProperty("Zone").GetProperty("$Type").GetString());
    }

    private static string ExpectedName(LayerDefinition layer) => layer.Id switch
    {
        "parcels" => "Parcels",
        "localities" => "Localities",
        "municipalities" => "Municipalities",
        "census_localities_2020" => "CensusLocalities_2020",
        "state_municipalities_2020" => "StateMunicipalities_2020",
        _ when layer.Kind == LayerDefinition.UploadedKind => layer.Id, // uploaded: u_ and 8 hex digits, the id every door uses
        _ => OpenVeracruz.Platform.OData.ODataModel.Pascal(layer.Id), // a feature's table: the default name (wifi_sites → WifiSites)
    };

    [Fact]
    public async Task OData_client_reads_pages_counts_next_links_entities_and_errors()
    {
        var model = await MetadataAsync();
        var first = await ReadSetAsync(model, "Parcels", "Parcels?$count=true&$select=Clave,Zone,LandAreaM2,LandUse");
        Assert.Equal(await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels"), first.Count);
        Assert.Equal(1000, first.Rows.Count);
        Assert.IsType<long>(first.Rows[0]["Zone"]);
        Assert.IsType<double>(first.Rows[0]["LandAreaM2"]);
        var second = await ReadSetAsync(model, "Parcels", first.Next!.ToString());
        Assert.Equal(await f.ColumnAsync<string>("SELECT clave FROM cadastre.parcels ORDER BY clave LIMIT 2000"),
            first.Rows.Concat(second.Rows).Select(r => (string)r["Clave"]!).ToList());

        var municipalities = await ReadSetAsync(model, "Municipalities", "Municipalities?$orderby=Population desc&$top=2");
        Assert.Equal(["Veracruz", "Boca del Río"], municipalities.Rows.Select(r => (string)r["Name"]!).ToArray());
        Assert.Null(municipalities.Next);

        var (clave, _, _) = await f.SomeParcelAsync();
        var parcels = model.EntityContainer.FindEntitySet("Parcels");
        using (var message = await ReaderAsync(model, $"Parcels('{clave}')"))
        {
            var reader = message.CreateODataResourceReader(parcels, parcels.EntityType);
            ODataResource? entity = null;
            while (reader.Read()) if (reader.State == ODataReaderState.ResourceEnd) entity = (ODataResource)reader.Item;
            Assert.Equal(clave, entity!.Properties.OfType<ODataProperty>().Single(p => p.Name == "Clave").Value);
        }

        using (var message = await ReaderAsync(model, "Parcels?$filter=Zone div 0 eq 1", HttpStatusCode.BadRequest))
        {
            var error = message.ReadError();
            Assert.Equal("InvalidQuery", error.Code);
            Assert.Contains("division by zero", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("división entre cero", error.Details.Single().Message);
            Assert.Equal("$filter", error.Target);
        }
    }

    private async Task<(string Dataset, string Layer)> UploadAsync(HttpClient editor, string prefix, string csv)
    {
        var dataset = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        var (created, body) = await PlatformFixture.CkanAsync(editor, "package_create", new { name = dataset, title = "Escuelas de prueba", owner_org = "direccion-modernizacion", license_id = "cc-by-4.0" });
        Assert.True(created == HttpStatusCode.OK, body.ToString());
        using var form = new MultipartFormDataContent
        {
            { new StringContent(dataset), "package_id" },
            { new StringContent("Escuelas"), "name" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "upload", "escuelas.csv" },
        };
        var response = await editor.PostAsync("/api/3/action/resource_create", form);
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var status = result.RootElement.GetProperty("result").GetProperty("import_status");
        Assert.True(status.GetProperty("state").GetString() == "succeeded", status.ToString());
        return (dataset, status.GetProperty("layer").GetString()!);
    }

    [Fact]
    public async Task An_uploaded_layer_is_an_entity_set_while_it_is_public()
    {
        const string prefix = "prueba-odata";
        try
        {
            var editor = f.NewClient();
            editor.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", (await f.StaffAsync("editor")).Token);
            var (dataset, layer) = await UploadAsync(editor, prefix,
                "Nombre,Alumnos,Promedio,Fundada,Longitud,Latitud\n" +
                "Escuela Benito Juárez,420,8.7,1952-09-01,-96.1342,19.1738\n" +
                "Primaria Úrsulo Galván,180,9.1,1968-02-15,-96.1047,19.1056\n" +
                "Telesecundaria 'El Faro',75,7.9,1990-08-20,-96.1578,19.0575\n");
            var set = layer; // u_ and 8 hex digits is an OData identifier already

            var model = await MetadataAsync();
            var type = model.EntityContainer.FindEntitySet(set)?.EntityType;
            Assert.NotNull(type);
            Assert.Equal("Fid", type.DeclaredKey.Single().Name);
            Assert.Equal(["Fid", "Nombre", "Alumnos", "Promedio", "Fundada", "Longitude", "Latitude", "Wkt"], type.StructuralProperties().Select(p => p.Name).ToArray());
            Assert.Equal(["Edm.Int64", "Edm.String", "Edm.Int64", "Edm.Double", "Edm.Date"], type.StructuralProperties().Take(5).Select(p => p.Type.FullName()).ToArray());

            var page = await ReadSetAsync(model, set, $"{set}?$filter=Alumnos gt 100 and Fundada lt 1960-01-01 or contains(Nombre,'''El Faro''')&$orderby=Alumnos desc");
            Assert.Equal(["Escuela Benito Juárez", "Telesecundaria 'El Faro'"], page.Rows.Select(r => (string)r["Nombre"]!).ToArray());
            Assert.Equal(new Date(1952, 9, 1), page.Rows[0]["Fundada"]);
            Assert.Equal(8.7, page.Rows[0]["Promedio"]);
            Assert.Equal(-96.1342, (double)page.Rows[0]["Longitude"]!, 7);
            Assert.Equal("POINT(-96.1342 19.1738)", page.Rows[0]["Wkt"]);

            var fid = (long)page.Rows[1]["Fid"]!;
            var (status, one, _) = await f.GetJsonAsync($"/odata/{set}({fid})");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(75, one.GetProperty("Alumnos").GetInt64());
            Assert.Equal("3", await f.Http.GetStringAsync($"/odata/{set}/$count"));

            // made private, the layer leaves the door at once
            Assert.Equal(HttpStatusCode.OK, (await PlatformFixture.CkanAsync(editor, "package_patch", new { id = dataset, @private = true })).Status);
            Assert.Null((await MetadataAsync()).EntityContainer.FindEntitySet(set));
            await ODataAssert.IsErrorAsync(await f.Http.GetAsync($"/odata/{set}"), HttpStatusCode.NotFound);
            await ODataAssert.IsErrorAsync(await f.Http.GetAsync($"/odata/{set}({fid})"), HttpStatusCode.NotFound);
            Assert.Equal(HttpStatusCode.OK, (await PlatformFixture.CkanAsync(editor, "package_patch", new { id = dataset, @private = false })).Status);
            Assert.NotNull((await MetadataAsync()).EntityContainer.FindEntitySet(set));
        }
        finally
        {
            await f.CleanDatasetsAsync(prefix);
        }
    }
}
