using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Valid;
using Npgsql;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Cadastre;

public sealed record LonLat(double Lon, double Lat);

/// <summary>Public view of a parcel. No personal data: owners are never part of a public contract.</summary>
public sealed record ParcelInfo(
    string Clave, int Zone, int Block, int Lot, string Locality, string LocalityCvegeo,
    string LandUse, string LandUseLabel, double LandAreaM2, double BuiltAreaM2,
    string ValuationZone, string ValuationZoneName, decimal LandValuePerM2,
    string ConstructionType, string ConstructionTypeLabel,
    decimal LandValue, decimal ConstructionValue, decimal CadastralValue,
    LonLat Centroid, Geometry Geometry, int Version);

/// <summary>One field that changed between two versions.</summary>
public sealed record FieldChange(string Field, string? Before, string? After);

public sealed record VersionInfo(int Version, DateTime ValidFrom, DateTime? ValidTo, string ChangeKind, long? EditId, string? Reason,
    string? SourceDocument, string? ProposedBy, string? ApprovedBy, DateTime? ApprovedAt, string LandUse, double LandAreaM2,
    double BuiltAreaM2, string ValuationZone, string ConstructionType, decimal CadastralValue, Geometry Geometry, IReadOnlyList<FieldChange> Changes);

/// <summary>The history of a parcel: every version with what changed, and the parcels it came from and gave rise to.</summary>
public sealed record ParcelHistoryInfo(string Clave, bool Current, IReadOnlyList<VersionInfo> Versions, IReadOnlyList<string> Parents, IReadOnlyList<string> Children);

/// <summary>The (synthetic) owner of a parcel: staff only, every look is logged.</summary>
public sealed record OwnerInfo(string Clave, string FullName, string Curp, string Phone, string Email);

public sealed record NearParcel(string Clave, string LandUse, double LandAreaM2, decimal CadastralValue, double DistanceM, double Lon, double Lat);

public sealed record LandUseStats(string LandUse, string Label, int Count, double LandAreaM2, decimal CadastralValue);

public sealed record ParcelStats(string? Locality, int Count, double TotalLandAreaM2, double TotalBuiltAreaM2, decimal TotalCadastralValue, IReadOnlyList<LandUseStats> ByLandUse);

public static class ParcelEndpoints
{
    public const double MaxRadiusM = 5000;
    /// <summary>Largest extent (degrees on a side) accepted by the intersects search: the whole municipality fits.</summary>
    public const double MaxIntersectsSpanDeg = 0.5;

    public static IEndpointRouteBuilder MapParcelEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/cadastre").WithTags("Catastro / Cadastre");

        g.MapGet("/parcels/{clave}", GetByClave).WithName("GetParcel")
            .WithSummary("Un predio por su clave catastral / A parcel by its clave catastral (e.g. 001-0001-001)");
        g.MapGet("/parcels/at", GetAt).WithName("GetParcelAt")
            .WithSummary("El predio que contiene un punto / The parcel containing a point (lon, lat in WGS 84)");
        g.MapGet("/parcels/near", GetNear).WithName("GetParcelsNear")
            .WithSummary("Predios a menos de radius_m metros, el más cercano primero / Parcels within radius_m metres, nearest first");
        g.MapPost("/parcels/intersects", PostIntersects).WithName("PostParcelsIntersects")
            .WithSummary("Predios que intersectan una geometría GeoJSON (WGS 84) / Parcels intersecting a GeoJSON geometry")
            .Accepts<JsonElement>("application/json", "application/geo+json")
            .Produces(200, contentType: "application/geo+json");
        g.MapGet("/parcels/{clave}/history", GetHistory).WithName("GetParcelHistory")
            .WithSummary("Versiones de un predio con sus diferencias, y su linaje / Versions with field differences, and lineage");
        g.MapGet("/parcels/{clave}/owner", GetOwner).RequireAuthorization(Auth.Roles.Viewer).WithName("GetParcelOwner")
            .ExcludeFromDescription()
            .WithSummary("Propietario del predio (personal; cada consulta queda registrada) / The owner (staff only; every view is logged)");
        g.MapGet("/stats", GetStats).WithName("GetCadastreStats")
            .WithSummary("Número de predios, superficie y valor catastral total, por localidad / Parcel count, area and value");
        return app;
    }

    private static IQueryable<ParcelInfo> Project(AppDbContext db, IQueryable<Parcel> parcels) =>
        from p in parcels
        join z in db.ValuationZones on p.ValuationZoneCode equals z.Code
        join c in db.ConstructionTypes on p.ConstructionTypeCode equals c.Code
        select new ParcelInfo(p.Clave, p.Zone, p.Block, p.Lot, p.LocalityName, p.LocalityCvegeo,
            p.LandUse, p.LandUse, p.LandAreaM2, p.BuiltAreaM2, z.Code, z.Name, z.LandValuePerM2,
            c.Code, c.Name, p.LandValue, p.ConstructionValue, p.CadastralValue,
            new LonLat(p.Geom.InteriorPoint.X, p.Geom.InteriorPoint.Y), p.Geom, p.Version);

    /// <summary>
    /// The same public view, from the versions valid at an instant, with the zone's land value per m² of that instant
    /// (the current one for an instant before the tariff history begins).
    /// </summary>
    private static IQueryable<ParcelInfo> ProjectAsOf(AppDbContext db, DateTime at, Func<IQueryable<ParcelVersion>, IQueryable<ParcelVersion>> filter) =>
        from p in filter(db.ParcelVersions.Where(v => v.ValidFrom <= at && (v.ValidTo == null || v.ValidTo > at)))
        join z in db.ValuationZones on p.ValuationZoneCode equals z.Code
        join c in db.ConstructionTypes on p.ConstructionTypeCode equals c.Code
        let then = db.TariffVersions.Where(t => t.Kind == TariffVersion.Zone && t.Code == z.Code && t.ValidFrom <= at && (t.ValidTo == null || t.ValidTo > at))
            .Select(t => (decimal?)t.Value).FirstOrDefault()
        select new ParcelInfo(p.Clave, p.Zone, p.Block, p.Lot, p.LocalityName, p.LocalityCvegeo,
            p.LandUse, p.LandUse, p.LandAreaM2, p.BuiltAreaM2, z.Code, z.Name, then ?? z.LandValuePerM2,
            c.Code, c.Name, p.LandValue, p.ConstructionValue, p.CadastralValue,
            new LonLat(p.Geom.InteriorPoint.X, p.Geom.InteriorPoint.Y), p.Geom, p.Version);

    /// <summary>Parses asOf (an instant or a date, see <see cref="Instants.TryParse"/>); null when absent.</summary>
    public static DateTime? ParseAsOf(string? asOf)
    {
        if (asOf is null) return null;
        if (Instants.TryParse(asOf, out var t)) return t;
        throw new BadRequestException($"'{asOf}' is not an instant: use RFC 3339 (2026-06-01T00:00:00Z) or a date (2026-06-01, the start of that day in Veracruz, UTC−6)",
            $"'{asOf}' no es un instante: use RFC 3339 (2026-06-01T00:00:00Z) o una fecha (2026-06-01, el inicio de ese día en Veracruz, UTC−6)", "asOf");
    }

    private static ParcelInfo WithLabels(ParcelInfo p) =>
        p with { LandUseLabel = LandUse.Labels.GetValueOrDefault(p.LandUse, p.LandUse), Centroid = new LonLat(Math.Round(p.Centroid.Lon, 7), Math.Round(p.Centroid.Lat, 7)) };

    private static async Task<Results<Ok<ParcelInfo>, ProblemHttpResult>> GetByClave(string clave, string? asOf, HttpResponse response, AppDbContext db, CancellationToken ct)
    {
        var at = ParseAsOf(asOf);
        if (!ClaveCatastral.TryParse(clave, out var parsed))
            return Problems.BadRequest($"'{clave}' is not a clave catastral: expected zone-block-lot as 000-0000-000",
                $"'{clave}' no es una clave catastral: se espera zona-manzana-lote como 000-0000-000", "clave");
        var key = parsed.Value.ToString();
        var parcel = at is { } t
            ? await ProjectAsOf(db, t, q => q.Where(v => v.Clave == key)).FirstOrDefaultAsync(ct)
            : await Project(db, db.Parcels.Where(p => p.Clave == key)).FirstOrDefaultAsync(ct);
        if (parcel is null)
            return at is null
                ? Problems.NotFound($"No parcel has clave catastral {key}", $"No existe ningún predio con la clave catastral {key}.")
                : Problems.NotFound($"No parcel had clave catastral {key} at {asOf}", $"Ningún predio tenía la clave catastral {key} en {asOf}.");
        if (at is null) response.Headers.ETag = EditEndpoints.ETag(parcel.Version);
        return TypedResults.Ok(WithLabels(parcel));
    }

    private static async Task<Results<Ok<ParcelInfo>, ProblemHttpResult>> GetAt(string? lon, string? lat, string? asOf, AppDbContext db, CancellationToken ct)
    {
        var point = new Point(QueryArgs.RequiredDouble(lon, "lon", -180, 180), QueryArgs.RequiredDouble(lat, "lat", -90, 90)) { SRID = Crs.StorageSrid };
        var at = ParseAsOf(asOf);
        var parcel = at is { } t
            ? await ProjectAsOf(db, t, q => q.Where(v => v.Geom.Covers(point)).OrderBy(v => v.Clave)).FirstOrDefaultAsync(ct)
            : await Project(db, db.Parcels.Where(p => p.Geom.Covers(point)).OrderBy(p => p.Clave)).FirstOrDefaultAsync(ct);
        return parcel is null
            ? Problems.NotFound("There is no parcel at this point", "No hay ningún predio en este punto.")
            : TypedResults.Ok(WithLabels(parcel));
    }

    private static async Task<Ok<List<NearParcel>>> GetNear(string? lon, string? lat, string? radius_m, string? limit, AppDbContext db, CancellationToken ct)
    {
        var x = QueryArgs.RequiredDouble(lon, "lon", -180, 180);
        var y = QueryArgs.RequiredDouble(lat, "lat", -90, 90);
        var r = QueryArgs.RequiredDouble(radius_m, "radius_m", 0, MaxRadiusM);
        var n = QueryArgs.OptionalInt(limit, "limit", 100, 1, 1000);
        // a degree box around the point lets the GiST index prune; the geography test is exact
        var dy = r / 110_000.0 * 1.1;
        var dx = dy / Math.Max(Math.Cos(y * Math.PI / 180), 0.05);
        var rows = await db.Database.SqlQuery<NearParcel>($"""
            SELECT p.clave AS "Clave", p.land_use AS "LandUse", p.land_area_m2 AS "LandAreaM2", p.cadastral_value AS "CadastralValue",
                   round(ST_Distance(p.geom::geography, pt.g::geography)::numeric, 2)::double precision AS "DistanceM",
                   round(ST_X(ST_PointOnSurface(p.geom))::numeric, 7)::double precision AS "Lon",
                   round(ST_Y(ST_PointOnSurface(p.geom))::numeric, 7)::double precision AS "Lat"
            FROM cadastre.parcels p, (SELECT ST_SetSRID(ST_MakePoint({x}, {y}), 4326) AS g) pt
            WHERE p.geom && ST_Expand(pt.g, {dx}, {dy}) AND ST_DWithin(p.geom::geography, pt.g::geography, {r})
            ORDER BY 5, 1
            LIMIT {n}
            """).ToListAsync(ct);
        return TypedResults.Ok(rows);
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> PostIntersects(HttpContext http, LayerRegistry registry, NpgsqlDataSource ds, string? limit, CancellationToken ct)
    {
        var max = QueryArgs.OptionalInt(limit, "limit", 1000, 1, 10_000, clamp: true);
        Geometry geometry;
        try
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) && t.GetString() == "Feature")
                root = root.GetProperty("geometry");
            geometry = GeoJson.Read(root.GetRawText())
                ?? throw new FormatException("empty geometry");
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidOperationException or KeyNotFoundException or NotSupportedException)
        {
            return Problems.BadRequest($"The body is not a GeoJSON geometry or Feature: {e.Message}",
                "El cuerpo no es una geometría o Feature GeoJSON válida.", "body");
        }
        var env = geometry.EnvelopeInternal;
        if (geometry.IsEmpty || env.MinX < -180 || env.MaxX > 180 || env.MinY < -90 || env.MaxY > 90)
            return Problems.BadRequest("Coordinates must be longitude/latitude in WGS 84", "Las coordenadas deben ser longitud/latitud en WGS 84", "body");
        if (env.Width > MaxIntersectsSpanDeg || env.Height > MaxIntersectsSpanDeg)
            return Problems.BadRequest($"The geometry is too large: at most {MaxIntersectsSpanDeg}° on a side", $"La geometría es demasiado grande: como máximo {MaxIntersectsSpanDeg}° por lado", "body");
        var validity = new IsValidOp(geometry).ValidationError;
        if (validity is not null)
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"{Math.Round(validity.Coordinate.X, 7)} {Math.Round(validity.Coordinate.Y, 7)}");
            return Problems.BadRequest($"Invalid geometry: {validity.Message} at {at}", $"Geometría inválida ({validity.Message}) en {at}", "body");
        }

        var layer = registry.Find("parcels")!;
        var query = new FeatureQuery(IntersectsGeoJson: GeoJson.Write(geometry), Limit: max);
        var matched = await FeatureStream.CountAsync(ds, layer, query, ct);
        await FeatureStream.WriteAsync(http.Response, ds, layer, query, "application/geo+json",
            (n, _) => string.Create(CultureInfo.InvariantCulture, $",\"numberMatched\":{matched},\"numberReturned\":{n},\"truncated\":{(matched > n ? "true" : "false")}"), ct);
        return TypedResults.Empty;
    }

    private static async Task<Results<Ok<ParcelHistoryInfo>, ProblemHttpResult>> GetHistory(string clave, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (!ClaveCatastral.TryParse(clave, out var parsed))
            return Problems.BadRequest($"'{clave}' is not a clave catastral: expected zone-block-lot as 000-0000-000",
                $"'{clave}' no es una clave catastral: se espera zona-manzana-lote como 000-0000-000", "clave");
        var key = parsed.Value.ToString();
        var versions = await db.ParcelVersions.AsNoTracking().Where(v => v.Clave == key).OrderBy(v => v.Version).ToListAsync(ct);
        if (versions.Count == 0)
            return Problems.NotFound($"No parcel ever had clave catastral {key}", $"Ningún predio ha tenido la clave catastral {key}.");
        var ids = versions.Select(v => v.ParcelId).Distinct().ToList();
        var links = await db.ParcelLineage.AsNoTracking().Where(l => ids.Contains(l.ParentParcelId) || ids.Contains(l.ChildParcelId)).ToListAsync(ct);
        var others = links.SelectMany(l => new[] { l.ParentParcelId, l.ChildParcelId }).Distinct().ToList();
        var claves = await db.ParcelVersions.AsNoTracking().Where(v => others.Contains(v.ParcelId)).Select(v => new { v.ParcelId, v.Clave }).Distinct().ToListAsync(ct);
        List<string> ClavesOf(IEnumerable<long> parcelIds) => claves.Where(c => parcelIds.Contains(c.ParcelId)).Select(c => c.Clave).Distinct().Order().ToList();
        var who = await StaffNamesAsync(db, user, versions.SelectMany(v => new[] { v.ProposedBy, v.ApprovedBy }), ct);
        var list = new List<VersionInfo>();
        ParcelVersion? previous = null;
        foreach (var v in versions)
        {
            list.Add(new VersionInfo(v.Version, v.ValidFrom, v.ValidTo, v.ChangeKind, v.EditId, v.Reason, v.SourceDocument, who(v.ProposedBy),
                who(v.ApprovedBy), v.ApprovedAt, v.LandUse, v.LandAreaM2, v.BuiltAreaM2, v.ValuationZoneCode, v.ConstructionTypeCode,
                v.CadastralValue, v.Geom, previous is null ? [] : Differences(previous, v)));
            previous = v;
        }
        return TypedResults.Ok(new ParcelHistoryInfo(key, versions[^1].ValidTo is null, list,
            ClavesOf(links.Where(l => ids.Contains(l.ChildParcelId)).Select(l => l.ParentParcelId)),
            ClavesOf(links.Where(l => ids.Contains(l.ParentParcelId)).Select(l => l.ChildParcelId))));
    }

    /// <summary>
    /// How the history names the staff behind a change: staff see the account (e-mail); the public sees the
    /// display name, accountability without publishing anyone's e-mail address.
    /// </summary>
    public static async Task<Func<string?, string?>> StaffNamesAsync(AppDbContext db, ClaimsPrincipal user, IEnumerable<string?> accounts, CancellationToken ct)
    {
        if (Auth.Roles.All.Any(user.IsInRole)) return a => a;
        var emails = accounts.OfType<string>().Distinct().ToList();
        var names = emails.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => emails.Contains(u.Email!))
            .Select(u => new { u.Email, u.DisplayName }).ToDictionaryAsync(u => u.Email!, u => u.DisplayName, ct);
        return a => a is null ? null : names.TryGetValue(a, out var n) && !string.IsNullOrWhiteSpace(n) && !n.Contains('@') ? n : "Personal de Catastro";
    }

    /// <summary>Field-by-field differences between two versions (the geometry as WKT).</summary>
    public static List<FieldChange> Differences(ParcelVersion a, ParcelVersion b)
    {
        var fields = new (string Name, Func<ParcelVersion, string?> Value)[]
        {
            ("land_use", v => v.LandUse),
            ("land_area_m2", v => v.LandAreaM2.ToString("R", CultureInfo.InvariantCulture)),
            ("built_area_m2", v => v.BuiltAreaM2.ToString("R", CultureInfo.InvariantCulture)),
            ("valuation_zone", v => v.ValuationZoneCode),
            ("construction_type", v => v.ConstructionTypeCode),
            ("land_value", v => v.LandValue.ToString(CultureInfo.InvariantCulture)),
            ("construction_value", v => v.ConstructionValue.ToString(CultureInfo.InvariantCulture)),
            ("cadastral_value", v => v.CadastralValue.ToString(CultureInfo.InvariantCulture)),
            ("locality_cvegeo", v => v.LocalityCvegeo),
            ("geometry", v => v.Geom.AsText()),
        };
        return fields.Select(f => new FieldChange(f.Name, f.Value(a), f.Value(b))).Where(c => c.Before != c.After).ToList();
    }

    private static async Task<Results<Ok<OwnerInfo>, ProblemHttpResult>> GetOwner(string clave, System.Security.Claims.ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (!ClaveCatastral.TryParse(clave, out var parsed))
            return Problems.BadRequest($"'{clave}' is not a clave catastral: expected zone-block-lot as 000-0000-000",
                $"'{clave}' no es una clave catastral: se espera zona-manzana-lote como 000-0000-000", "clave");
        var key = parsed.Value.ToString();
        var row = await (from p in db.Parcels where p.Clave == key
                         join o in db.Owners on (long?)p.Id equals o.ParcelId
                         select new { p.Id, o.FullName, o.Curp, o.Phone, o.Email }).FirstOrDefaultAsync(ct);
        if (row is null)
            return Problems.NotFound($"No parcel with an owner has clave catastral {key}", $"No existe ningún predio con propietario y clave catastral {key}.");
        db.OwnerAccessLog.Add(new OwnerAccess
        {
            UserId = user.FindFirstValue(System.Security.Claims.ClaimTypes.NameIdentifier) ?? "",
            UserEmail = user.FindFirstValue(System.Security.Claims.ClaimTypes.Name) ?? "",
            ParcelId = row.Id, Clave = key, At = DateTime.UtcNow,
        });
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new OwnerInfo(key, row.FullName, row.Curp, row.Phone, row.Email));
    }

    private static async Task<Results<Ok<ParcelStats>, ProblemHttpResult>> GetStats(string? locality, AppDbContext db, CancellationToken ct)
    {
        var parcels = db.Parcels.AsQueryable();
        if (!string.IsNullOrWhiteSpace(locality))
        {
            var l = locality.Trim();
            parcels = parcels.Where(p => p.LocalityCvegeo == l || EF.Functions.ILike(p.LocalityName, l));
        }
        var groups = await parcels.GroupBy(p => p.LandUse)
            .Select(gr => new { LandUse = gr.Key, Count = gr.Count(), Land = gr.Sum(p => p.LandAreaM2), Built = gr.Sum(p => p.BuiltAreaM2), Value = gr.Sum(p => p.CadastralValue) })
            .ToListAsync(ct);
        if (groups.Count == 0 && !string.IsNullOrWhiteSpace(locality))
            return Problems.NotFound($"No parcels found for locality '{locality}' (give its 9-digit cvegeo or its name)",
                $"No se encontraron predios en la localidad '{locality}' (indique su clave geoestadística de 9 dígitos o su nombre).");
        var stats = new ParcelStats(string.IsNullOrWhiteSpace(locality) ? null : locality.Trim(),
            groups.Sum(x => x.Count), Math.Round(groups.Sum(x => x.Land), 2), Math.Round(groups.Sum(x => x.Built), 2), groups.Sum(x => x.Value),
            groups.OrderByDescending(x => x.Count).Select(x => new LandUseStats(x.LandUse, LandUse.Labels.GetValueOrDefault(x.LandUse, x.LandUse), x.Count, Math.Round(x.Land, 2), x.Value)).ToList());
        return TypedResults.Ok(stats);
    }
}
