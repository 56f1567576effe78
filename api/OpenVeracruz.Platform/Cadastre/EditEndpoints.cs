using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NetTopologySuite.Geometries;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Tiles;

namespace OpenVeracruz.Platform.Cadastre;

public sealed record EditAttributes(string? LandUse, double? BuiltAreaM2, string? ConstructionType);

/// <summary>
/// A proposed edit. kind: create | attributes | reshape | split | merge | retire. <c>clave</c> names the parcel
/// (the new clave for create), <c>claves</c> the parcels of a merge; <c>geometry</c> is a GeoJSON Polygon (create,
/// reshape), <c>splitLine</c> a GeoJSON LineString (split).
/// </summary>
public sealed record EditRequest(string? Kind, string? Clave, string[]? Claves, JsonElement? Geometry, JsonElement? SplitLine,
    EditAttributes? Attributes, string? Reason, string? SourceDocument);

public sealed record RejectRequest(string? Reason);

public sealed record ParcelShape(string Clave, int Version, Geometry Geometry);

/// <summary>An edit as the review queue shows it: the change, and the geometry before and after.</summary>
public sealed record EditView(long Id, string Kind, string[] TargetClaves, int[] BaseVersions, string State, string Reason,
    string? SourceDocument, string ProposedBy, DateTime ProposedAt, string? DecidedBy, DateTime? DecidedAt, string? RejectionReason,
    JsonElement Payload, IReadOnlyList<ParcelShape> Before, IReadOnlyList<ParcelShape> After);

public static class EditEndpoints
{
    public static IEndpointRouteBuilder MapEditEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/cadastre/edits").WithTags("Edición catastral / Cadastral editing");
        g.MapPost("", Propose).RequireAuthorization(Roles.Editor).WithName("ProposeEdit")
            .WithSummary("Propone una edición (If-Match con la ETag del predio) / Propose an edit; existing parcels need If-Match");
        g.MapGet("", List).RequireAuthorization(Roles.Viewer).WithName("ListEdits")
            .WithSummary("Cola de revisión: ?state=pending|approved|rejected|superseded / The review queue, with before and after geometry");
        g.MapPost("/{id:long}/approve", Approve).RequireAuthorization(Roles.Supervisor).WithName("ApproveEdit")
            .WithSummary("Aprueba y aplica una edición ajena / Approve and apply someone else's edit (four eyes)");
        g.MapPost("/{id:long}/reject", Reject).RequireAuthorization(Roles.Supervisor).WithName("RejectEdit")
            .WithSummary("Rechaza una edición ajena con un motivo / Reject someone else's edit with a reason");
        return app;
    }

    internal static string Who(ClaimsPrincipal p) => p.FindFirstValue(ClaimTypes.Name) ?? p.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private static BadRequestException Bad(string en, string es, string parameter = "body") => new(en, es, parameter);

    private static T ReadGeometry<T>(JsonElement? json, string name) where T : Geometry
    {
        if (json is not { ValueKind: JsonValueKind.Object } e)
            throw Bad($"'{name}' is required: a GeoJSON {typeof(T).Name}", $"Falta '{name}': una geometría GeoJSON {typeof(T).Name}", name);
        Geometry? g;
        try
        {
            if (e.TryGetProperty("type", out var t) && t.GetString() == "Feature") e = e.GetProperty("geometry");
            g = GeoJson.Read(e.GetRawText());
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException or InvalidOperationException or KeyNotFoundException or NotSupportedException)
        {
            throw Bad($"'{name}' is not GeoJSON: {ex.Message}", $"'{name}' no es GeoJSON válido", name);
        }
        if (g is not T typed || g.IsEmpty)
            throw Bad($"'{name}' must be a GeoJSON {typeof(T).Name}", $"'{name}' debe ser una geometría GeoJSON {typeof(T).Name}", name);
        var env = g.EnvelopeInternal;
        if (env.MinX < -180 || env.MaxX > 180 || env.MinY < -90 || env.MaxY > 90)
            throw Bad("Coordinates must be longitude/latitude in WGS 84", "Las coordenadas deben ser longitud/latitud en WGS 84", name);
        typed.SRID = Crs.StorageSrid;
        return typed;
    }

    private static ClaveCatastral ParseClave(string? text, string name) =>
        ClaveCatastral.TryParse(text, out var c) ? c.Value
            : throw Bad($"'{text}' is not a clave catastral: expected zone-block-lot as 000-0000-000",
                $"'{text}' no es una clave catastral: se espera zona-manzana-lote como 000-0000-000", name);

    /// <summary>The versions listed in If-Match ("v3" or W/"v3", comma-separated, one per parcel in order).</summary>
    /// <param name="missing">The 428 message when the header is absent (default: the one for parcels).</param>
    public static int[] ParseIfMatch(string? header, int expected, (string En, string Es)? missing = null)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            var (en, es) = missing ?? ("Editing an existing parcel requires If-Match with its current ETag (from GET /api/cadastre/parcels/{clave})",
                "Para editar un predio existente envíe If-Match con su ETag actual (de GET /api/cadastre/parcels/{clave})");
            throw new PreconditionException(en, es, 428);
        }
        var tags = header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.StartsWith("W/", StringComparison.Ordinal) ? t[2..] : t)
            .Select(t => t.Trim('"'))
            .Select(t => t.Length > 1 && t[0] == 'v' && int.TryParse(t.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1)
            .ToArray();
        if (tags.Length != expected || tags.Any(v => v < 0))
            throw new PreconditionException($"If-Match must carry {expected} ETag(s) of the form \"v<version>\", one per parcel in order",
                $"If-Match debe llevar {expected} ETag de la forma \"v<versión>\", una por predio y en orden");
        return tags;
    }

    public static string ETag(int version) => $"\"v{version}\"";

    /// <summary>The cadastre's layer id in the registry (datasets/predios-sinteticos): its tiles are invalidated by an approval.</summary>
    public const string ParcelLayerId = "parcels";

    private static async Task<Results<Created<EditView>, ProblemHttpResult>> Propose(EditRequest body, HttpRequest req, ClaimsPrincipal user,
        AppDbContext db, IOptions<EditingOptions> options, CancellationToken ct)
    {
        var kind = body.Kind?.Trim().ToLowerInvariant() ?? "";
        if (!EditKind.All.Contains(kind))
            throw Bad($"'kind' must be one of {string.Join(", ", EditKind.All)}", $"'kind' debe ser uno de: {string.Join(", ", EditKind.All)}", "kind");
        if (string.IsNullOrWhiteSpace(body.Reason))
            throw Bad("'reason' is required", "Falta el motivo ('reason')", "reason");
        var targets = kind == EditKind.Merge
            ? (body.Claves is { Length: >= 2 } cs ? cs.Select(c => ParseClave(c, "claves").ToString()).ToArray()
                : throw Bad("A merge needs 'claves': two or more parcels", "Una fusión necesita 'claves': dos o más predios", "claves"))
            : [ParseClave(body.Clave, "clave").ToString()];

        var payload = new JsonObject();
        if (body.Attributes is { } a) payload["attributes"] = JsonSerializer.SerializeToNode(a, GeoJson.Options);
        if (kind is EditKind.Create or EditKind.Reshape)
            payload["geometry"] = JsonNode.Parse(GeoJson.Write(ReadGeometry<Polygon>(body.Geometry, "geometry")));
        if (kind == EditKind.Split)
            payload["splitLine"] = JsonNode.Parse(GeoJson.Write(ReadGeometry<LineString>(body.SplitLine, "splitLine")));
        if (kind is EditKind.Create or EditKind.Attributes && body.Attributes is null)
            throw Bad("'attributes' are required (landUse, builtAreaM2, constructionType)", "Faltan los atributos ('attributes': landUse, builtAreaM2, constructionType)", "attributes");

        int[] baseVersions;
        if (kind == EditKind.Create)
        {
            baseVersions = [0];
            if (req.Headers.IfMatch.Count > 0 && req.Headers.IfMatch.ToString() != "*")
                throw new PreconditionException("A new parcel has no version to match", "Un predio nuevo no tiene versión que comparar");
        }
        else
        {
            var versions = await db.Parcels.AsNoTracking().Where(p => targets.Contains(p.Clave)).Select(p => new { p.Clave, p.Version }).ToListAsync(ct);
            foreach (var t in targets)
                if (versions.All(v => v.Clave != t))
                    throw new BadRequestException($"No parcel has clave catastral {t}", $"No existe ningún predio con la clave catastral {t}.", "clave", 404);
            var matched = ParseIfMatch(req.Headers.IfMatch.ToString(), targets.Length);
            baseVersions = targets.Select(t => versions.Single(v => v.Clave == t).Version).ToArray();
            for (var i = 0; i < targets.Length; i++)
                if (matched[i] != baseVersions[i])
                    throw new PreconditionException($"Parcel {targets[i]} is at version {baseVersions[i]}, not {matched[i]}: reload it and edit again",
                        $"El predio {targets[i]} está en la versión {baseVersions[i]}, no en la {matched[i]}: vuelva a cargarlo y edítelo de nuevo");
        }

        var edit = ParcelEdit.Propose(kind, targets, baseVersions, payload.ToJsonString(), body.Reason, body.SourceDocument, Who(user), DateTime.UtcNow);
        // validate now (nothing is saved): the same rules run again at approval against the cadastre of that moment
        var parcels = await db.Parcels.AsNoTracking().Where(p => targets.Contains(p.Clave)).ToListAsync(ct);
        var plan = await ParcelEditor.PlanAsync(db, edit, parcels, options.Value, ct);
        // the stored payload carries the snapped geometry, which is what the reviewer sees and approval applies
        if (plan.Geometry is { } snapped) payload["geometry"] = JsonNode.Parse(GeoJson.Write(snapped));
        edit = ParcelEdit.Propose(kind, targets, baseVersions, payload.ToJsonString(), body.Reason, body.SourceDocument, Who(user), DateTime.UtcNow);
        db.ParcelEdits.Add(edit);
        await db.SaveChangesAsync(ct);
        var view = (await ViewsAsync(db, db.ParcelEdits.Where(e => e.Id == edit.Id), ct)).Single();
        return TypedResults.Created($"/api/cadastre/edits/{edit.Id}", view);
    }

    private static async Task<Ok<List<EditView>>> List(string? state, AppDbContext db, CancellationToken ct)
    {
        var s = string.IsNullOrWhiteSpace(state) ? ParcelEdit.Pending : state.Trim().ToLowerInvariant();
        if (!ParcelEdit.States.Contains(s))
            throw Bad($"'state' must be one of {string.Join(", ", ParcelEdit.States)}", $"'state' debe ser uno de: {string.Join(", ", ParcelEdit.States)}", "state");
        return TypedResults.Ok(await ViewsAsync(db, db.ParcelEdits.Where(e => e.State == s).OrderBy(e => e.Id).Take(500), ct));
    }

    private static async Task<List<EditView>> ViewsAsync(AppDbContext db, IQueryable<ParcelEdit> edits, CancellationToken ct)
    {
        var list = await edits.AsNoTracking().ToListAsync(ct);
        var claves = list.SelectMany(e => e.TargetClaves).Distinct().ToList();
        var current = await db.Parcels.AsNoTracking().Where(p => claves.Contains(p.Clave)).Select(p => new ParcelShape(p.Clave, p.Version, p.Geom)).ToListAsync(ct);
        var views = new List<EditView>();
        foreach (var e in list)
        {
            using var doc = JsonDocument.Parse(e.Payload);
            var payload = doc.RootElement.Clone();
            // before: the parcels as they are now (pending) or as they were in their base version
            List<ParcelShape> before;
            if (e.State == ParcelEdit.Pending) before = current.Where(p => e.TargetClaves.Contains(p.Clave)).ToList();
            else
            {
                var targets = e.TargetClaves;
                var rows = await db.ParcelVersions.AsNoTracking().Where(v => targets.Contains(v.Clave))
                    .Select(v => new ParcelShape(v.Clave, v.Version, v.Geom)).ToListAsync(ct);
                before = rows.Where(r => e.BaseVersions[Array.IndexOf(targets, r.Clave)] == r.Version).ToList();
            }
            var after = new List<ParcelShape>();
            if (payload.TryGetProperty("geometry", out var g) && GeoJson.Read(g.GetRawText()) is Polygon poly)
                after.Add(new ParcelShape(e.TargetClaves[0], e.BaseVersions[0] + 1, poly));
            else if (e.State == ParcelEdit.Approved)
                after.AddRange(await db.ParcelVersions.AsNoTracking().Where(v => v.EditId == e.Id).Select(v => new ParcelShape(v.Clave, v.Version, v.Geom)).ToListAsync(ct));
            else if (payload.TryGetProperty("splitLine", out var l) && GeoJson.Read(l.GetRawText()) is LineString line && before.Count == 1)
                after.AddRange(Parcel.Cut((Polygon)before[0].Geometry, line).Select(p => new ParcelShape("", 1, p)));
            views.Add(new EditView(e.Id, e.Kind, e.TargetClaves, e.BaseVersions, e.State, e.Reason, e.SourceDocument, e.ProposedBy, e.ProposedAt,
                e.DecidedBy, e.DecidedAt, e.RejectionReason, payload, before, after));
        }
        return views;
    }

    private static async Task<Results<Ok<EditView>, ProblemHttpResult>> Approve(long id, ClaimsPrincipal user, AppDbContext db,
        IOptions<EditingOptions> options, ILoggerFactory logs, TileCache tiles, CancellationToken ct)
    {
        ParcelEdit? edit;
        var now = DateTime.UtcNow;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            edit = (await db.ParcelEdits.FromSql($"SELECT * FROM cadastre.parcel_edits WHERE id = {id} FOR UPDATE").ToListAsync(ct)).SingleOrDefault();
            if (edit is null) return Problems.NotFound($"Edit {id} does not exist", $"La edición {id} no existe");
            edit.Approve(Who(user), now);
            var targets = edit.TargetClaves;
            // row locks in id order: a concurrent approval of the same parcels waits here, then finds the new version
            var parcels = await db.Parcels.FromSql($"SELECT * FROM cadastre.parcels WHERE clave = ANY({targets}) ORDER BY id FOR UPDATE").ToListAsync(ct);
            if (edit.Kind != EditKind.Create)
                for (var i = 0; i < targets.Length; i++)
                {
                    var p = parcels.SingleOrDefault(x => x.Clave == targets[i]);
                    if (p is null || p.Version != edit.BaseVersions[i])
                        throw new PreconditionException(
                            $"Parcel {targets[i]} changed since the edit was proposed (version {edit.BaseVersions[i]} → {(p is null ? "retired" : p.Version)}): propose it again",
                            $"El predio {targets[i]} cambió desde que se propuso la edición (versión {edit.BaseVersions[i]} → {(p is null ? "baja" : p.Version)}): vuelva a proponerla");
                }
            var ordered = edit.Kind == EditKind.Create ? [] : targets.Select(t => parcels.Single(p => p.Clave == t)).ToList();
            var before = ordered.Select(p => p.Geom.EnvelopeInternal.Copy()).ToList();
            var plan = await ParcelEditor.PlanAsync(db, edit, ordered, options.Value, ct);
            try
            {
                await ParcelEditor.ApplyAsync(db, edit, plan, now, ct);
            }
            catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // another approval took the same new clave in the meantime
                throw new DomainRuleException("A clave catastral of this edit was taken by another edit meanwhile: approve it again",
                    "Otra edición tomó mientras tanto una clave catastral de esta edición: vuelva a aprobarla");
            }
            // the vector tiles over the old and the new shapes, at every zoom, are rebuilt on their next request
            var touched = before.Concat(plan.Changed.Concat(plan.Created).Select(p => p.Geom.EnvelopeInternal));
            await TileCache.ForgetAreasAsync(db, ParcelLayerId, touched.Select(e => (e.MinX, e.MinY, e.MaxX, e.MaxY)), ct);
            await tx.CommitAsync(ct);
        }
        tiles.ForgetHot();
        // after the commit, never inside the transaction: see SupersedeStaleAsync. The approval stands even if this fails
        // (the stale edits then stay pending, and approving them still answers 412).
        try
        {
            await ParcelEditor.SupersedeStaleAsync(db, edit, Who(user), now, CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            logs.CreateLogger(typeof(EditEndpoints)).LogWarning(e, "Edit {Id} was approved but the pending edits it made stale were not marked superseded", id);
        }
        var view = (await ViewsAsync(db, db.ParcelEdits.Where(e => e.Id == id), ct)).Single();
        return TypedResults.Ok(view);
    }

    private static async Task<Results<Ok<EditView>, ProblemHttpResult>> Reject(long id, RejectRequest? body, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body?.Reason)) throw Bad("'reason' is required", "Falta el motivo del rechazo ('reason')", "reason");
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var edit = (await db.ParcelEdits.FromSql($"SELECT * FROM cadastre.parcel_edits WHERE id = {id} FOR UPDATE").ToListAsync(ct)).SingleOrDefault();
            if (edit is null) return Problems.NotFound($"Edit {id} does not exist", $"La edición {id} no existe");
            edit.Reject(Who(user), DateTime.UtcNow, body.Reason);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        return TypedResults.Ok((await ViewsAsync(db, db.ParcelEdits.Where(e => e.Id == id), ct)).Single());
    }
}
