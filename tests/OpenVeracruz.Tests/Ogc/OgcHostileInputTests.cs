namespace OpenVeracruz.Tests.Ogc;

/// <summary>The OGC door against hostile input: refusals are problems with the OGC exception code.</summary>
[Collection(nameof(HostileInput))]
public sealed class OgcHostileInputTests(HostileInput f) : HostileInputTests(f,
    "/ogc/collections/{parcels}/items?limit={5}&offset={0}&clave={001-0001-001}&datetime={2026-01-01T00:00:00Z}",
    "/ogc/collections/parcels/items?limit=5&bbox={-96.2,19.1,-96.1,19.2}&bbox-crs={http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FOGC%2F1.3%2FCRS84}&crs={EPSG:32614}",
    // coordinates given in a metric CRS: values outside its domain
    "/ogc/collections/parcels/items?limit=5&bbox={790000,2110000,830000,2140000}&bbox-crs=EPSG:32614",
    "/ogc/collections/parcels/items?limit=5&bbox={2700000,800000,2800000,900000}&bbox-crs=EPSG:6372",
    "/ogc/collections/localities/items?limit=5&pob={100}&ambito={URBANO}&f={json}",
    "/ogc/collections/{parcels}/items/{001-0001-001}?crs={EPSG:4326}",
    // Part 3: CQL2 filters (text and JSON), their CRS, sortby and properties
    "/ogc/collections/parcels/items?limit=5&filter={zone%20%3D%201%20AND%20land_use%20LIKE%20'c%25'}&filter-lang={cql2-text}&filter-crs={EPSG:4326}&sortby={-zone}&properties={clave}",
    "/ogc/collections/parcels/items?limit=5&filter={S_INTERSECTS(geom%2CBBOX(-96.2%2C19.1%2C-96.1%2C19.2))}",
    "/ogc/collections/parcels/items?limit=5&filter-lang=cql2-json&filter={%7B%22op%22%3A%22%3D%22%2C%22args%22%3A%5B%7B%22property%22%3A%22zone%22%7D%2C1%5D%7D}",
    // Part 1's datetime on a dated layer (QGIS 3.22 sends its date comparisons so)
    "/ogc/collections/wifi_connections_daily/items?limit=5&datetime={2026-01-01%2F9999-12-31T00:00:00Z}&filter={sessions%20%3E%201}",
    "/ogc/collections/{parcels}/queryables",
    "/ogc/collections/{parcels}/schema",
    "/ogc/collections/{parcels}/feature-schema")
{
    protected override void AssertErrorFormat(HttpResponseMessage response, string body) =>
        Assert.False(string.IsNullOrEmpty(AssertProblem(response, body).GetProperty("code").GetString()), "OGC exception code");
}
