using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Wifi;

public sealed record SiteCoverage(string Code, string Name, string Status, int CoverageRadiusM, double Lon, double Lat, int Population);

/// <summary>
/// Population within the sites' coverage circles, estimated from the 2020 census locality polygons (layer localities):
/// each locality's population spread evenly over its area, so a circle covers the share of it that its area covers.
/// </summary>
public sealed record Coverage(string Municipality, int MunicipalPopulation, int PopulationCovered, double PercentCovered, string Method,
    string Source, IReadOnlyList<SiteCoverage> Sites);

public sealed record NearestSite(string Code, string Name, string Place, string Address, string Status, string Hours, int CoverageRadiusM,
    double Lon, double Lat, int DistanceM, bool Inside);

public sealed record Nearest(double Lon, double Lat, string? Clave, IReadOnlyList<NearestSite> Sites);

public static class CoverageEndpoints
{
    public const string MunicipalityCode = "30193";

    public static IEndpointRouteBuilder MapCoverageEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/wifi").WithTags("Espacios WiFi / WiFi spaces");
        g.MapGet("/coverage", Get).WithName("WifiCoverage")
            .WithSummary("Población del municipio dentro de la cobertura de los sitios (Censo 2020) / Population covered");
        g.MapGet("/nearest", NearestSites).WithName("WifiNearest")
            .WithSummary("Espacios WiFi más cercanos a un punto (lon, lat) o a una clave catastral / Nearest WiFi spaces");
        return app;
    }

    private static async Task<Ok<Coverage>> Get(NpgsqlDataSource db, CancellationToken ct)
    {
        // circles as geography buffers (true metres); locality areas on the spheroid; the union for the total, so overlapping circles count once
        await using var cmd = db.CreateCommand("""
            WITH loc AS (
                SELECT l.pob::double precision AS pob, l.geom, ST_Area(l.geom::geography) AS area
                FROM layers.localities l WHERE l.cvegeo LIKE @mun || '%' AND l.pob > 0
            ), circle AS (
                SELECT s.id, s.code, s.name, s.status, s.coverage_radius_m, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat,
                       ST_Buffer(s.geom::geography, s.coverage_radius_m)::geometry AS g
                FROM wifi.sites s
            ), per_site AS (
                SELECT c.id, coalesce(sum(loc.pob * ST_Area(ST_Intersection(c.g, loc.geom)::geography) / nullif(loc.area, 0)), 0) AS pop
                FROM circle c LEFT JOIN loc ON ST_Intersects(c.g, loc.geom) GROUP BY c.id
            ), covered AS (
                SELECT coalesce(sum(loc.pob * ST_Area(ST_Intersection(u.g, loc.geom)::geography) / nullif(loc.area, 0)), 0) AS pop
                FROM (SELECT ST_Union(g) AS g FROM circle) u JOIN loc ON ST_Intersects(u.g, loc.geom)
            )
            SELECT c.code, c.name, c.status, c.coverage_radius_m, c.lon, c.lat, round(p.pop)::int,
                   (SELECT round(pop)::int FROM covered), (SELECT m.pob FROM layers.municipalities m WHERE m.cvegeo = @mun)::int
            FROM circle c JOIN per_site p ON p.id = c.id ORDER BY c.code
            """);
        cmd.Parameters.AddWithValue("mun", MunicipalityCode);
        var sites = new List<SiteCoverage>();
        int covered = 0, total = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            sites.Add(new SiteCoverage(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetDouble(4), r.GetDouble(5), r.GetInt32(6)));
            (covered, total) = (r.GetInt32(7), r.IsDBNull(8) ? 0 : r.GetInt32(8));
        }
        return TypedResults.Ok(new Coverage("Veracruz", total, covered, total > 0 ? Math.Round(100.0 * covered / total, 2) : 0,
            "Población de cada localidad (polígonos del Censo 2020) repartida uniformemente en su superficie; círculos de cobertura como buffers geográficos en metros, unidos para no contar dos veces / Areal weighting of locality population",
            "INEGI, Censo de Población y Vivienda 2020 (capas localities y municipalities)", sites));
    }

    private static async Task<Ok<Nearest>> NearestSites(HttpRequest request, NpgsqlDataSource db, CancellationToken ct)
    {
        var clave = QueryArgs.Get(request, "clave");
        var lonText = QueryArgs.Get(request, "lon");
        var latText = QueryArgs.Get(request, "lat");
        var limit = QueryArgs.OptionalInt(QueryArgs.Get(request, "limit"), "limit", 3, 1, 20);
        double lon, lat;
        string? claveText = null;
        if (clave is { Length: > 0 })
        {
            if (lonText is not null || latText is not null)
                throw new BadRequestException("Give either 'clave' or 'lon' and 'lat', not both", "Indique 'clave' o bien 'lon' y 'lat', no ambos", "clave");
            if (!ClaveCatastral.TryParse(clave, out var c))
                throw new BadRequestException($"'{clave}' is not a clave catastral (zone-block-lot, e.g. 001-0012-007)", $"'{clave}' no es una clave catastral (zona-manzana-lote, p. ej. 001-0012-007)", "clave");
            claveText = c.ToString();
            // the public parcels layer (the same columns every door reads)
            await using var p = db.CreateCommand("SELECT ST_X(pt), ST_Y(pt) FROM (SELECT ST_PointOnSurface(geom) pt FROM cadastre.parcels WHERE clave = @c) s");
            p.Parameters.AddWithValue("c", claveText!);
            await using var pr = await p.ExecuteReaderAsync(ct);
            if (!await pr.ReadAsync(ct)) throw new BadRequestException($"No parcel has the clave {claveText}", $"No hay un predio con la clave {claveText}", "clave", 404);
            (lon, lat) = (pr.GetDouble(0), pr.GetDouble(1));
        }
        else
        {
            if (lonText is null && latText is null)
                throw new BadRequestException("Give 'lon' and 'lat' in degrees (WGS 84), e.g. lon=-96.134&lat=19.19, or a 'clave' catastral",
                    "Indique 'lon' y 'lat' en grados (WGS 84), p. ej. lon=-96.134&lat=19.19, o una 'clave' catastral", "lon");
            (lon, lat) = (QueryArgs.RequiredDouble(lonText, "lon", -180, 180), QueryArgs.RequiredDouble(latText, "lat", -90, 90));
        }
        // KNN on the GiST index picks the candidates; the geography distance (metres) orders them exactly
        await using var cmd = db.CreateCommand("""
            SELECT code, name, place, address, status, hours, coverage_radius_m, ST_X(geom), ST_Y(geom), d FROM (
                SELECT s.*, ST_Distance(s.geom::geography, ST_SetSRID(ST_MakePoint(@lon, @lat), 4326)::geography) AS d
                FROM wifi.sites s ORDER BY s.geom <-> ST_SetSRID(ST_MakePoint(@lon, @lat), 4326) LIMIT @k
            ) c ORDER BY d, code LIMIT @n
            """);
        cmd.Parameters.AddWithValue("lon", lon);
        cmd.Parameters.AddWithValue("lat", lat);
        cmd.Parameters.AddWithValue("k", limit * 3 + 5);
        cmd.Parameters.AddWithValue("n", limit);
        var list = new List<NearestSite>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var d = r.GetDouble(9);
            list.Add(new NearestSite(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt32(6),
                r.GetDouble(7), r.GetDouble(8), (int)Math.Round(d), d <= r.GetInt32(6)));
        }
        return TypedResults.Ok(new Nearest(Math.Round(lon, 7), Math.Round(lat, 7), claveText, list));
    }
}
