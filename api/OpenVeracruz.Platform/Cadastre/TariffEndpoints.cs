using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Tiles;
using Microsoft.EntityFrameworkCore.Storage;

namespace OpenVeracruz.Platform.Cadastre;

public sealed record ValuationZoneInfo(string Code, string Name, decimal LandValuePerM2, int Version);
public sealed record ConstructionTypeInfo(string Code, string Name, decimal ValuePerM2, int Version);
public sealed record LandUseInfo(string Code, string Label);

/// <summary>A new valuation zone (POST: code, name and value required) or a change to one (PUT: name and value optional).</summary>
public sealed record ValuationZoneChange(string? Code, string? Name, decimal? LandValuePerM2, string? Reason, string? SourceDocument);
/// <summary>A new construction type (POST: code, name and value required) or a change to one (PUT: name and value optional).</summary>
public sealed record ConstructionTypeChange(string? Code, string? Name, decimal? ValuePerM2, string? Reason, string? SourceDocument);

public sealed record TariffVersionInfo(int Version, string Name, decimal Value, DateTime ValidFrom, DateTime? ValidTo,
    string? ChangedBy, string? Reason, string? SourceDocument, int ParcelsRevalued);
public sealed record TariffHistoryInfo(string Code, IReadOnlyList<TariffVersionInfo> Versions);
/// <summary>A row of either table, as read by SQL.</summary>
public sealed record TariffRow(string Code, string Name, decimal Value, int Version);

/// <summary>
/// The unit value tables (tablas de valores unitarios): public to read, changed by supervisors with history. A new
/// value recomputes, in the same transaction and set-based, every current parcel priced by it, each with a new version.
/// </summary>
public static class TariffEndpoints
{
    /// <summary>Highest unit value accepted (MXN per m²): far above any tariff, low enough that parcel values fit numeric(14,2).</summary>
    public const decimal MaxValuePerM2 = 1_000_000m;

    private sealed record Change(string? Code, string? Name, decimal? Value, string? Reason, string? SourceDocument);

    /// <summary>
    /// One of the two tables: its SQL names, how its value prices a parcel (value column = round(area column × unit
    /// value, 2), cadastral value = it + the other value column), its JSON value field and its names in both languages.
    /// </summary>
    private sealed record Table<TView>(string Kind, string Route, string Sql, string ValueColumn, string ParcelColumn,
        string AreaColumn, string PriceColumn, string OtherPriceColumn, string ValueField, decimal MinValue,
        string En, string EnPlural, string Es, string EsPlural, Func<TariffRow, TView> View);

    private static readonly Table<ValuationZoneInfo> Zones = new(TariffVersion.Zone, "valuation-zones", "cadastre.valuation_zones",
        "land_value_per_m2", "valuation_zone", "land_area_m2", "land_value", "construction_value", "landValuePerM2", 0.01m,
        "Valuation zone", "valuation zones", "la zona de valor", "zonas de valor", r => new(r.Code, r.Name, r.Value, r.Version));

    // zero is a legitimate unit value here: "Sin construcción" prices no construction
    private static readonly Table<ConstructionTypeInfo> Types = new(TariffVersion.Construction, "construction-types", "cadastre.construction_types",
        "value_per_m2", "construction_type", "built_area_m2", "construction_value", "land_value", "valuePerM2", 0m,
        "Construction type", "construction types", "el tipo de construcción", "tipos de construcción", r => new(r.Code, r.Name, r.Value, r.Version));

    private static readonly Regex CodePattern = new("^[A-Z0-9]+(-[A-Z0-9]+)*$", RegexOptions.CultureInvariant);

    public static IEndpointRouteBuilder MapTariffEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/cadastre").WithTags("Tablas de valores unitarios / Unit value tables");
        g.MapGet("/land-uses", () => TypedResults.Ok(LandUse.Labels.Select(l => new LandUseInfo(l.Key, l.Value)).ToList()))
            .WithName("ListLandUses").WithSummary("Usos de suelo del catastro / Land uses of the cadastre, with their labels");
        Map(g, Zones, (ValuationZoneChange b) => new Change(b.Code, b.Name, b.LandValuePerM2, b.Reason, b.SourceDocument));
        Map(g, Types, (ConstructionTypeChange b) => new Change(b.Code, b.Name, b.ValuePerM2, b.Reason, b.SourceDocument));
        return app;
    }

    private static void Map<TView, TBody>(RouteGroupBuilder g, Table<TView> t, Func<TBody, Change> read) where TBody : class
    {
        var list = "/" + t.Route;
        var item = list + "/{code}";
        var name = string.Concat(t.EnPlural.Split(' ').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
        g.MapGet(list, (AppDbContext db, CancellationToken ct) => ListAsync(t, db, ct)).WithName($"List{name}")
            .WithSummary($"Tabla de {t.EsPlural} con su valor unitario (MXN/m²) / The {t.EnPlural} with their unit value (MXN per m²)");
        g.MapGet(item, (string code, HttpResponse response, AppDbContext db, CancellationToken ct) => GetAsync(t, code, response, db, ct))
            .WithName($"Get{name}Item").WithSummary($"Una fila de la tabla de {t.EsPlural}, con ETag / One of the {t.EnPlural}, with its ETag");
        g.MapGet(item + "/history", (string code, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) => HistoryAsync(t, code, user, db, ct))
            .WithName($"Get{name}History").WithSummary($"Versiones de una fila de la tabla de {t.EsPlural} / Versions of one of the {t.EnPlural}");
        g.MapPost(list, (TBody? body, HttpResponse response, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) =>
                CreateAsync(t, body is null ? null : read(body), response, user, db, ct))
            .RequireAuthorization(Roles.Supervisor).WithName($"Create{name}Item")
            .WithSummary($"Da de alta una clave en la tabla de {t.EsPlural} (supervisor) / Add a code to the {t.EnPlural} (supervisor)");
        g.MapPut(item, (string code, TBody? body, HttpRequest request, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) =>
                UpdateAsync(t, code, body is null ? null : read(body), request, user, db, ct))
            .RequireAuthorization(Roles.Supervisor).WithName($"Update{name}Item")
            .WithSummary($"Cambia nombre o valor (If-Match); revalúa los predios (supervisor) / Change name or value (If-Match); revalues the parcels (supervisor)");
    }

    private static string Key(string code) => code.Trim().ToUpperInvariant();

    private static NpgsqlParameter P(string name, object? value) => new(name, value ?? DBNull.Value);

    // table and column names come from the two descriptors above, never from the request
    private static string Select<TView>(Table<TView> t, string rest) =>
        $"""SELECT code AS "Code", name AS "Name", {t.ValueColumn} AS "Value", version AS "Version" FROM {t.Sql} {rest}""";

    private static async Task<TariffRow?> FindAsync<TView>(Table<TView> t, AppDbContext db, string code, bool forUpdate, CancellationToken ct)
    {
        var sql = Select(t, forUpdate ? "WHERE code = @code FOR UPDATE" : "WHERE code = @code");
        return (await db.Database.SqlQueryRaw<TariffRow>(sql, P("code", code)).ToListAsync(ct)).SingleOrDefault();
    }

    private static ProblemHttpResult NotFound<TView>(Table<TView> t, string code) =>
        Problems.NotFound($"{t.En} {code} does not exist", $"No existe {t.Es} {code}.");

    private static async Task<Ok<List<TView>>> ListAsync<TView>(Table<TView> t, AppDbContext db, CancellationToken ct)
    {
        var sql = Select(t, "ORDER BY code");
        var rows = await db.Database.SqlQueryRaw<TariffRow>(sql).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(t.View).ToList());
    }

    private static async Task<Results<Ok<TView>, ProblemHttpResult>> GetAsync<TView>(Table<TView> t, string code, HttpResponse response, AppDbContext db, CancellationToken ct)
    {
        var row = await FindAsync(t, db, Key(code), false, ct);
        if (row is null) return NotFound(t, Key(code));
        response.Headers.ETag = EditEndpoints.ETag(row.Version);
        return TypedResults.Ok(t.View(row));
    }

    private static async Task<Results<Ok<TariffHistoryInfo>, ProblemHttpResult>> HistoryAsync<TView>(Table<TView> t, string code, ClaimsPrincipal user,
        AppDbContext db, CancellationToken ct)
    {
        var key = Key(code);
        var versions = await db.TariffVersions.AsNoTracking().Where(v => v.Kind == t.Kind && v.Code == key).OrderBy(v => v.Version)
            .Select(v => new TariffVersionInfo(v.Version, v.Name, v.Value, v.ValidFrom, v.ValidTo, v.ChangedBy, v.Reason, v.SourceDocument, v.ParcelsRevalued))
            .ToListAsync(ct);
        if (versions.Count == 0) return NotFound(t, key);
        var who = await ParcelEndpoints.StaffNamesAsync(db, user, versions.Select(v => v.ChangedBy), ct);
        return TypedResults.Ok(new TariffHistoryInfo(key, versions.Select(v => v with { ChangedBy = who(v.ChangedBy) }).ToList()));
    }

    private static string RequiredReason(Change body) =>
        string.IsNullOrWhiteSpace(body.Reason) ? throw new BadRequestException("'reason' is required", "Falta el motivo ('reason')", "reason") : body.Reason.Trim();

    private static string? CheckName(string? name)
    {
        if (name is null) return null;
        var n = name.Trim();
        return n.Length is >= 1 and <= 200 ? n
            : throw new BadRequestException("'name' must have 1 to 200 characters", "'name' debe tener de 1 a 200 caracteres", "name");
    }

    private static decimal? CheckValue<TView>(Table<TView> t, decimal? value)
    {
        if (value is not { } v) return null;
        if (v < t.MinValue || v > MaxValuePerM2 || decimal.Round(v, 2) != v)
            throw new BadRequestException(
                string.Create(CultureInfo.InvariantCulture, $"'{t.ValueField}' must be between {t.MinValue} and {MaxValuePerM2:0} MXN per m², with at most two decimals"),
                string.Create(CultureInfo.InvariantCulture, $"'{t.ValueField}' debe estar entre {t.MinValue} y {MaxValuePerM2:0} MXN por m², con dos decimales como máximo"), t.ValueField);
        return v;
    }

    private static Change Body(Change? body) =>
        body ?? throw new BadRequestException("The body is required (JSON)", "Falta el cuerpo de la solicitud (JSON)", "body");

    private static async Task<Results<Created<TView>, ProblemHttpResult>> CreateAsync<TView>(Table<TView> t, Change? change, HttpResponse response,
        ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var body = Body(change);
        var reason = RequiredReason(body);
        var code = body.Code is null ? "" : Key(body.Code);
        if (code.Length is < 1 or > 10 || !CodePattern.IsMatch(code))
            throw new BadRequestException("'code' is required: 1 to 10 letters or digits, groups joined by '-' (e.g. VZ-06)",
                "Falta 'code': de 1 a 10 letras o dígitos, en grupos unidos por '-' (p. ej. VZ-06)", "code");
        var name = CheckName(body.Name) ?? throw new BadRequestException("'name' is required", "Falta el nombre ('name')", "name");
        var value = CheckValue(t, body.Value) ?? throw new BadRequestException($"'{t.ValueField}' is required", $"Falta '{t.ValueField}'", t.ValueField);
        try
        {
            var sql = $"""
                INSERT INTO {t.Sql} (code, name, {t.ValueColumn}, version) VALUES (@code, @name, @value, 1);
                INSERT INTO cadastre.tariff_versions (kind, code, version, name, value, valid_from, changed_by, reason, source_document, parcels_revalued)
                VALUES (@kind, @code, 1, @name, @value, @now, @who, @reason, @source, 0);
                """;
            await db.Database.ExecuteSqlRawAsync(sql, [P("code", code), P("name", name), P("value", value), P("kind", t.Kind), P("now", DateTime.UtcNow), P("who", EditEndpoints.Who(user)),
                    P("reason", reason), P("source", Source(body))], ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new DomainRuleException($"{t.En} {code} already exists: change it with PUT", $"Ya existe {t.Es} {code}; los cambios se hacen con PUT");
        }
        response.Headers.ETag = EditEndpoints.ETag(1);
        return TypedResults.Created($"/api/cadastre/{t.Route}/{code}", t.View(new TariffRow(code, name, value, 1)));
    }

    private static string? Source(Change body) => string.IsNullOrWhiteSpace(body.SourceDocument) ? null : body.SourceDocument.Trim();

    private static async Task<Results<Ok<TView>, ProblemHttpResult>> UpdateAsync<TView>(Table<TView> t, string code, Change? change, HttpRequest request,
        ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var body = Body(change);
        var reason = RequiredReason(body);
        var name = CheckName(body.Name);
        var value = CheckValue(t, body.Value);
        if (body.Code is not null && Key(body.Code) != Key(code))
            throw new BadRequestException("A code cannot be changed: create a new one with POST", "Una clave no se puede cambiar: dé de alta otra con POST", "code");
        var key = Key(code);
        var current = await FindAsync(t, db, key, false, ct);
        if (current is null) return NotFound(t, key);
        var missing = ($"Changing {t.En.ToLowerInvariant()} {key} requires If-Match with its current ETag (from GET /api/cadastre/{t.Route}/{key})",
            $"Para cambiar {t.Es} {key} envíe If-Match con su ETag actual (de GET /api/cadastre/{t.Route}/{key})");
        var expected = EditEndpoints.ParseIfMatch(request.Headers.IfMatch.ToString(), 1, missing)[0];
        void CheckVersion(TariffRow row)
        {
            if (row.Version != expected)
                throw new PreconditionException($"{t.En} {key} is at version {row.Version}, not {expected}: reload it and change it again",
                    $"{char.ToUpperInvariant(t.Es[0])}{t.Es[1..]} {key} está en la versión {row.Version}, no en la {expected}: vuelva a leer la vigente e inténtelo de nuevo");
        }
        CheckVersion(current);
        var next = current with { Name = name ?? current.Name, Value = value ?? current.Value };
        if (next == current)
        {
            request.HttpContext.Response.Headers.ETag = EditEndpoints.ETag(current.Version);
            return TypedResults.Ok(t.View(current));
        }
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var repriced = next.Value != current.Value;
            // lock order as approvals (parcels, then the tariff rows they read FOR SHARE): neither can deadlock the other
            var lockParcels = $"SELECT 1 FROM cadastre.parcels WHERE {t.ParcelColumn} = @code ORDER BY id FOR UPDATE";
            if (repriced) await db.Database.ExecuteSqlRawAsync(lockParcels, [P("code", key)], ct);
            CheckVersion((await FindAsync(t, db, key, true, ct))!);
            next = next with { Version = expected + 1 };
            var now = DateTime.UtcNow;
            var who = EditEndpoints.Who(user);
            var args = new object[] { P("code", key), P("name", next.Name), P("value", next.Value), P("now", now), P("who", who), P("reason", reason), P("source", Source(body)), P("kind", t.Kind) };
            var revalued = 0;
            try
            {
                var update = $"UPDATE {t.Sql} SET name = @name, {t.ValueColumn} = @value, version = version + 1 WHERE code = @code";
                await db.Database.ExecuteSqlRawAsync(update, args, ct);
                if (repriced) revalued = await db.Database.ExecuteSqlRawAsync(RevaluationSql(t), args.Select(Clone).ToArray(), ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.NumericValueOutOfRange)
            {
                throw new BadRequestException(string.Create(CultureInfo.InvariantCulture, $"'{t.ValueField}' {next.Value} would give parcels values too large to record"),
                    string.Create(CultureInfo.InvariantCulture, $"'{t.ValueField}' {next.Value} daría a algunos predios valores demasiado grandes para registrarse"), t.ValueField);
            }
            await db.Database.ExecuteSqlRawAsync("""
                UPDATE cadastre.tariff_versions SET valid_to = @now WHERE kind = @kind AND code = @code AND valid_to IS NULL;
                INSERT INTO cadastre.tariff_versions (kind, code, version, name, value, valid_from, changed_by, reason, source_document, parcels_revalued)
                VALUES (@kind, @code, @version, @name, @value, @now, @who, @reason, @source, @revalued);
                """, [.. args.Select(Clone), P("version", next.Version), P("revalued", revalued)], ct);
            if (revalued > 0) await ForgetRepricedTilesAsync(db, t.ParcelColumn, key, ct);
            await tx.CommitAsync(ct);
            if (revalued > 0) request.HttpContext.RequestServices.GetRequiredService<TileCache>().ForgetHot();
        }
        request.HttpContext.Response.Headers.ETag = EditEndpoints.ETag(next.Version);
        return TypedResults.Ok(t.View(next));
    }

    /// <summary>The parcels' vector tiles over the repriced parcels (their values are in the tiles from zoom 15) are rebuilt on their next request.</summary>
    private static async Task ForgetRepricedTilesAsync(AppDbContext db, string parcelColumn, string code, CancellationToken ct)
    {
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var cmd = new NpgsqlCommand($"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM cadastre.parcels WHERE {parcelColumn} = @code) s",
            conn, (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        cmd.Parameters.Add(P("code", code));
        (double, double, double, double)? area = null;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct) && !r.IsDBNull(0)) area = (r.GetDouble(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3));
        if (area is { } a) await TileCache.ForgetAreasAsync(db, EditEndpoints.ParcelLayerId, [a], ct);
    }

    // a parameter belongs to one command: each statement gets copies
    private static object Clone(object p) => ((NpgsqlParameter)p).Clone();

    /// <summary>
    /// Reprices every current parcel of the zone or type at @value, set-based: round(area × value, 2) half to even as
    /// <see cref="Parcel"/> does in decimal (a double becomes numeric with 15 significant digits on both sides), then
    /// closes each open version and appends the new one. Answers one row count per parcel (the inserted versions).
    /// </summary>
    private static string RevaluationSql<TView>(Table<TView> t) => $"""
        WITH priced AS (
          SELECT id, (trunc(c) + CASE WHEN c - trunc(c) > 0.5 OR (c - trunc(c) = 0.5 AND mod(trunc(c), 2) = 1) THEN 1 ELSE 0 END) / 100 AS price
          FROM (SELECT id, {t.AreaColumn}::numeric * @value * 100 AS c FROM cadastre.parcels WHERE {t.ParcelColumn} = @code) x
        ), changed AS (
          UPDATE cadastre.parcels p SET {t.PriceColumn} = priced.price, cadastral_value = priced.price + p.{t.OtherPriceColumn}, version = p.version + 1
          FROM priced WHERE p.id = priced.id
          RETURNING p.*
        ), closed AS (
          UPDATE cadastre.parcel_versions v SET valid_to = @now FROM changed c WHERE v.parcel_id = c.id AND v.valid_to IS NULL
        )
        INSERT INTO cadastre.parcel_versions (parcel_id, {ParcelVersionSql.SnapshotColumns},
            valid_from, change_kind, reason, source_document, proposed_by, approved_by, approved_at)
        SELECT id, {ParcelVersionSql.SnapshotColumns},
            @now, '{EditKind.Revaluation}', @reason, @source, @who, @who, @now
        FROM changed
        """;
}
