using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Features;
using NetTopologySuite.IO.VectorTiles;
using NetTopologySuite.IO.VectorTiles.Mapbox;
using OpenVeracruz.Platform.Tiles;

namespace OpenVeracruz.Tests.Tiles;

/// <summary>The vector tiles door through real HTTP: tiles decoded with NTS's MVT reader, metadata, caching and its invalidation.</summary>
[Collection(nameof(VectorTiles))]
public sealed class TileTests(VectorTiles f)
{
    private const string IdAttribute = "mvt_feature_id";

    private static string Url(string layer, TileAddress t) => $"/ogc/collections/{layer}/tiles/WebMercatorQuad/{t.Z}/{t.Y}/{t.X}";

    private async Task<HttpResponseMessage> GetTileAsync(string layer, TileAddress t, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url(layer, t));
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        var response = await f.Http.SendAsync(request);
        // a tile built for this request is cached just after it was answered: wait for it, as a next request would find it
        if (response.Headers.TryGetValues("X-Tile-Cache", out var cache) && cache.Single() == "miss")
            for (var i = 0; i < 100 && await f.ScalarAsync<long>("SELECT count(*) FROM tiles.cache WHERE layer = @layer AND z = @z AND x = @x AND y = @y",
                     ("layer", layer), ("z", t.Z), ("x", t.X), ("y", t.Y)) == 0; i++)
                await Task.Delay(50);
        return response;
    }

    private static async Task<VectorTile> DecodeAsync(HttpResponseMessage response, TileAddress t)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TileEndpoints.MvtType, response.Content.Headers.ContentType?.MediaType);
        await using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        return new MapboxTileReader().Read(stream, new NetTopologySuite.IO.VectorTiles.Tiles.Tile(t.X, t.Y, t.Z), IdAttribute);
    }

    private static IFeature Feature(VectorTile tile, string layer, string key, object value) =>
        Assert.Single(Assert.Single(tile.Layers, l => l.Name == layer).Features, x => Equals(x.Attributes[key]?.ToString(), value.ToString()));

    private static string Cache(HttpResponseMessage r) => r.Headers.GetValues("X-Tile-Cache").Single();

    [Fact]
    public async Task A_parcel_tile_carries_ids_and_every_attribute_at_z16_but_only_the_clave_at_z14()
    {
        var (clave, lon, lat) = await f.SomeParcelAsync();
        var expectedId = await f.ScalarAsync<long>($"SELECT hashtextextended(@c, 0) & {TileSql.MaxSafeId}", ("c", clave));
        var landUse = await f.ScalarAsync<string>("SELECT land_use FROM cadastre.parcels WHERE clave = @c", ("c", clave));

        var z16 = TileMath.At(16, lon, lat);
        var full = Feature(await DecodeAsync(await GetTileAsync("parcels", z16), z16), "parcels", "clave", clave);
        Assert.Equal(expectedId, Convert.ToInt64(full.Attributes[IdAttribute]));
        Assert.Equal(landUse, full.Attributes["land_use"]);
        Assert.Contains("cadastral_value", full.Attributes.GetNames());
        Assert.True(full.Geometry is NetTopologySuite.Geometries.Polygon or NetTopologySuite.Geometries.MultiPolygon, full.Geometry.GeometryType);
        Assert.True(full.Geometry.Contains(new NetTopologySuite.Geometries.Point(lon, lat)) || full.Geometry.Distance(new NetTopologySuite.Geometries.Point(lon, lat)) < 1e-4);

        var z14 = TileMath.At(14, lon, lat);
        var tile14 = await DecodeAsync(await GetTileAsync("parcels", z14), z14);
        var thin = Feature(tile14, "parcels", "clave", clave);
        Assert.Equal(expectedId, Convert.ToInt64(thin.Attributes[IdAttribute]));
        Assert.Equal(["clave", IdAttribute], thin.Attributes.GetNames().Order(StringComparer.Ordinal));
        // every parcel that meets the z14 tile is in it: no 2,000-feature page
        var (w, s, e, n) = TileMath.LonLatBounds(z14);
        var inside = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels WHERE ST_Intersects(geom, ST_MakeEnvelope(@w, @s, @e, @n, 4326))",
            ("w", w), ("s", s), ("e", e), ("n", n));
        Assert.True(tile14.Layers.Single().Features.Count >= inside, $"{tile14.Layers.Single().Features.Count} features, {inside} parcels inside the tile");
    }

    [Fact]
    public async Task Low_zoom_tiles_are_simplified()
    {
        // the municipality of Veracruz in the z9 tile around the city, against its stored outline
        var raw = await f.ScalarAsync<int>("SELECT ST_NPoints(geom) FROM layers.municipalities WHERE cvegeo = '30193'");
        var z9 = TileMath.At(9, -96.1342, 19.1738);
        var low = Feature(await DecodeAsync(await GetTileAsync("municipalities", z9), z9), "municipalities", "cvegeo", "30193");
        var z13 = TileMath.At(13, -96.1342, 19.1738);
        var high = Feature(await DecodeAsync(await GetTileAsync("municipalities", z13), z13), "municipalities", "cvegeo", "30193");
        Assert.True(low.Geometry.NumPoints < raw / 2, $"z9: {low.Geometry.NumPoints} vertices of {raw}");
        Assert.True(low.Geometry.Area > 0.01, "the municipality still has its shape at z9");
        Assert.True(high.Geometry.NumPoints > 0);
    }

    [Fact]
    public async Task An_empty_tile_is_204_and_is_cached()
    {
        var empty = new TileAddress(10, 0, 0); // the Arctic off Alaska
        var first = await GetTileAsync("parcels", empty);
        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Empty(await first.Content.ReadAsByteArrayAsync());
        var again = await GetTileAsync("parcels", empty);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal("hit", Cache(again));
        Assert.Equal(first.Headers.ETag, again.Headers.ETag);
    }

    [Theory]
    [InlineData("parcels/tiles/WebMercatorQuad/25/0/0", HttpStatusCode.BadRequest)]
    [InlineData("parcels/tiles/WebMercatorQuad/3/8/0", HttpStatusCode.BadRequest)]
    [InlineData("parcels/tiles/WebMercatorQuad/3/0/8", HttpStatusCode.BadRequest)]
    [InlineData("parcels/tiles/WebMercatorQuad/-1/0/0", HttpStatusCode.BadRequest)]
    [InlineData("parcels/tiles/WebMercatorQuad/a/0/0", HttpStatusCode.BadRequest)]
    [InlineData("parcels/tiles/WebMercatorQuad/14/7302/3816?f=png", HttpStatusCode.BadRequest)]
    [InlineData("parcels/tiles/WebMercatorQuad?f=xml", HttpStatusCode.BadRequest)]
    [InlineData("nada/tiles/WebMercatorQuad/14/7302/3816", HttpStatusCode.NotFound)]
    [InlineData("parcels/tiles/WorldCRS84Quad/14/7302/3816", HttpStatusCode.NotFound)]
    [InlineData("parcels/tiles/WorldCRS84Quad", HttpStatusCode.NotFound)]
    public async Task Bad_tile_requests_are_refused_in_the_ogc_format(string path, HttpStatusCode status)
    {
        var p = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync("/ogc/collections/" + path), status);
        Assert.Equal(status == HttpStatusCode.NotFound ? "NotFound" : "InvalidParameterValue", p.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_tile_revalidates_with_its_etag_and_may_be_cached_publicly_for_a_short_while()
    {
        var (_, lon, lat) = await f.SomeParcelAsync();
        var t = TileMath.At(15, lon, lat);
        var first = await GetTileAsync("parcels", t);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag!.ToString();
        Assert.True(first.Headers.CacheControl!.Public);
        Assert.Equal(TimeSpan.FromSeconds(60), first.Headers.CacheControl.MaxAge);
        var notModified = await GetTileAsync("parcels", t, etag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, notModified.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, (await GetTileAsync("parcels", t, "W/" + etag + ", \"otra\"")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetTileAsync("parcels", t, "\"otra\"")).StatusCode);
        // the bytes served from the cache are the bytes built: the same ETag is the SHA-256 of the body
        var cached = await GetTileAsync("parcels", t);
        Assert.Equal("hit", Cache(cached));
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await cached.Content.ReadAsByteArrayAsync()))[..32];
        Assert.Equal($"\"{sha}\"", cached.Headers.ETag!.ToString());
        // reference layers change at most daily: an hour
        var town = await GetTileAsync("localities", TileMath.At(12, lon, lat));
        Assert.Equal(TimeSpan.FromSeconds(3600), town.Headers.CacheControl!.MaxAge);
    }

    [Fact]
    public async Task An_approved_edit_invalidates_the_tiles_over_the_parcel_and_no_others()
    {
        var (clave, lon, lat) = await f.SomeParcelAsync();
        var (_, lonFar, latFar) = await f.SomeParcelAsync(
            $"ST_Distance(geom, ST_SetSRID(ST_MakePoint({lon.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, {lat.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}), 4326)) > 0.005");
        var over16 = TileMath.At(16, lon, lat);
        var over14 = TileMath.At(14, lon, lat);
        var far = TileMath.At(16, lonFar, latFar);
        var before16 = await GetTileAsync("parcels", over16);
        var areaBefore = Feature(await DecodeAsync(before16, over16), "parcels", "clave", clave).Geometry.Area;
        Assert.Equal(HttpStatusCode.OK, (await GetTileAsync("parcels", over14)).StatusCode);
        var farBefore = await GetTileAsync("parcels", far);
        Assert.Equal("hit", Cache(await GetTileAsync("parcels", over16)));

        // an editor shrinks the parcel by 10 % on each side, a supervisor approves it
        var (_, editor, _) = await f.StaffAsync("editor");
        var (_, supervisor, _) = await f.StaffAsync("supervisor");
        var etag = (await f.Http.GetAsync($"/api/cadastre/parcels/{clave}")).Headers.ETag!.ToString();
        var shrunk = JsonDocument.Parse(await f.ScalarAsync<string>(
            "SELECT ST_AsGeoJSON(ST_Transform(ST_Scale(m, ST_MakePoint(0.9, 0.9), ST_Centroid(m)), 4326), 10) FROM (SELECT ST_Transform(geom, 32614) AS m FROM cadastre.parcels WHERE clave = @c) s",
            ("c", clave))).RootElement;
        var proposed = await PlatformFixture.ProposeAsync(f.WithToken(editor), new { kind = "reshape", clave, geometry = shrunk, reason = "Rectificación de medidas" }, etag);
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        var id = JsonDocument.Parse(await proposed.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await f.WithToken(supervisor).PostAsync($"/api/cadastre/edits/{id}/approve", null)).StatusCode);

        async Task<bool> CachedAsync(TileAddress t) => await f.ScalarAsync<long>(
            "SELECT count(*) FROM tiles.cache WHERE layer = 'parcels' AND z = @z AND x = @x AND y = @y", ("z", t.Z), ("x", t.X), ("y", t.Y)) == 1;
        Assert.False(await CachedAsync(over16));
        Assert.False(await CachedAsync(over14));
        Assert.True(await CachedAsync(far));

        var farAfter = await GetTileAsync("parcels", far);
        Assert.Equal("hit", Cache(farAfter));
        Assert.Equal(farBefore.Headers.ETag, farAfter.Headers.ETag);
        var after16 = await GetTileAsync("parcels", over16);
        Assert.Equal("miss", Cache(after16));
        Assert.NotEqual(before16.Headers.ETag, after16.Headers.ETag);
        var areaAfter = Feature(await DecodeAsync(after16, over16), "parcels", "clave", clave).Geometry.Area;
        Assert.InRange(areaAfter / areaBefore, 0.75, 0.87); // 0.9² = 0.81, give or take the tile grid
    }

    [Fact]
    public async Task A_hot_tile_that_another_instance_invalidated_is_rebuilt_here_soon_after()
    {
        var (_, lon, lat) = await f.SomeParcelAsync();
        var t = TileMath.At(18, lon, lat);
        await GetTileAsync("parcels", t);
        Assert.Equal("hit", Cache(await GetTileAsync("parcels", t))); // read from tiles.cache: now hot in this instance's memory
        Assert.Equal("hit", Cache(await GetTileAsync("parcels", t)));
        // an edit approved through another instance empties tiles.cache there, in its own transaction
        await f.ScalarAsync<int>("DELETE FROM tiles.cache WHERE layer = 'parcels' AND z = @z AND x = @x AND y = @y RETURNING 1", ("z", t.Z), ("x", t.X), ("y", t.Y));
        var rebuilt = false;
        for (var i = 0; i < 60 && !rebuilt; i++) // the recheck interval is one second
        {
            rebuilt = Cache(await GetTileAsync("parcels", t)) == "miss";
            if (!rebuilt) await Task.Delay(100);
        }
        Assert.True(rebuilt, "the tile was still served from memory six seconds after tiles.cache dropped it");
    }

    [Fact]
    public async Task The_cache_is_trimmed_to_its_bound_least_recently_used_first()
    {
        var tiles = new List<TileAddress>();
        for (var i = 0; i < 3; i++)
        {
            var (_, lon, lat) = await f.SomeParcelAsync();
            var t = TileMath.At(17, lon, lat);
            if (tiles.Contains(t)) continue;
            Assert.Equal(HttpStatusCode.OK, (await GetTileAsync("parcels", t)).StatusCode);
            tiles.Add(t);
        }
        Assert.True(tiles.Count >= 2);
        // the first one was used longest ago
        var at = (TileAddress t) => new (string, object)[] { ("z", t.Z), ("x", t.X), ("y", t.Y) };
        await f.ScalarAsync<int>("UPDATE tiles.cache SET used_at = now() - interval '1 day' WHERE layer = 'parcels' AND z = @z AND x = @x AND y = @y RETURNING 1", at(tiles[0]));
        var total = await f.ScalarAsync<long>("SELECT sum(size) FROM tiles.cache");
        var oldest = await f.ScalarAsync<int>("SELECT size FROM tiles.cache WHERE layer = 'parcels' AND z = @z AND x = @x AND y = @y", at(tiles[0]));
        var removed = await f.Services.GetRequiredService<TileCache>().TrimAsync(total - oldest, CancellationToken.None);
        Assert.Equal(1, removed);
        Assert.Equal(total - oldest, await f.ScalarAsync<long>("SELECT sum(size) FROM tiles.cache"));
        Assert.Equal("miss", Cache(await GetTileAsync("parcels", tiles[0])));
        Assert.Equal("hit", Cache(await GetTileAsync("parcels", tiles[^1])));
    }

    [Fact]
    public async Task Tile_matrix_sets_tilesets_and_tilejson_describe_the_tiles()
    {
        var conformance = (await f.GetJsonAsync("/ogc/conformance")).Json.GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt", conformance);
        Assert.Contains("http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core", conformance);

        var sets = (await f.GetJsonAsync("/ogc/tileMatrixSets")).Json.GetProperty("tileMatrixSets");
        Assert.Equal("WebMercatorQuad", Assert.Single(sets.EnumerateArray()).GetProperty("id").GetString());
        var tms = (await f.GetJsonAsync("/ogc/tileMatrixSets/WebMercatorQuad")).Json;
        Assert.Equal("http://www.opengis.net/def/crs/EPSG/0/3857", tms.GetProperty("crs").GetString());
        var matrices = tms.GetProperty("tileMatrices").EnumerateArray().ToList();
        Assert.Equal(25, matrices.Count);
        Assert.Equal(16384, matrices[14].GetProperty("matrixWidth").GetInt64());
        Assert.Equal(559082264.0287178 / 16384, matrices[14].GetProperty("scaleDenominator").GetDouble(), 6);

        var collection = (await f.GetJsonAsync("/ogc/collections/parcels")).Json;
        var tilesLink = collection.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == TileEndpoints.TilesetsRel).GetProperty("href").GetString()!;
        var list = (await f.GetJsonAsync(new Uri(tilesLink).PathAndQuery)).Json;
        var tilesetHref = list.GetProperty("tilesets")[0].GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "self").GetProperty("href").GetString()!;
        var tileset = (await f.GetJsonAsync(new Uri(tilesetHref).PathAndQuery)).Json;
        Assert.Equal("vector", tileset.GetProperty("dataType").GetString());
        var template = tileset.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "item");
        Assert.Equal(TileEndpoints.MvtType, template.GetProperty("type").GetString());
        Assert.EndsWith("/ogc/collections/parcels/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}", template.GetProperty("href").GetString());

        foreach (var tilejsonUrl in new[] { "/ogc/collections/parcels/tiles/WebMercatorQuad/tilejson.json", "/ogc/collections/parcels/tiles/WebMercatorQuad?f=tilejson" })
        {
            var tj = (await f.GetJsonAsync(tilejsonUrl)).Json;
            Assert.Equal("3.0.0", tj.GetProperty("tilejson").GetString());
            var url = tj.GetProperty("tiles")[0].GetString()!;
            Assert.EndsWith("/ogc/collections/parcels/tiles/WebMercatorQuad/{z}/{y}/{x}", url);
            var layer = Assert.Single(tj.GetProperty("vector_layers").EnumerateArray());
            Assert.Equal("parcels", layer.GetProperty("id").GetString());
            Assert.True(layer.GetProperty("fields").TryGetProperty("land_use", out _));
            // the template works as it is
            var (_, lon, lat) = await f.SomeParcelAsync();
            var t = TileMath.At(16, lon, lat);
            var tile = await f.Http.GetAsync(new Uri(url.Replace("{z}", "16").Replace("{y}", t.Y.ToString()).Replace("{x}", t.X.ToString())).PathAndQuery);
            Assert.Equal(HttpStatusCode.OK, tile.StatusCode);
        }
    }
}
