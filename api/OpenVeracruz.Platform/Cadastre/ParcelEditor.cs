using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Valid;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Cadastre;

/// <summary>What an edit does to the cadastre: parcels changed, retired and created, and parent → child links.</summary>
public sealed record EditPlan(Polygon? Geometry, List<Parcel> Changed, List<Parcel> Retired, List<Parcel> Created, List<(Parcel Parent, Parcel Child)> Lineage);

/// <summary>
/// Turns an edit into entity calls after validating the new geometry against the cadastre (snapping, validity,
/// minimum area, municipal boundary, overlaps), and writes the result with its versions and lineage.
/// </summary>
public static class ParcelEditor
{
    /// <summary>Runs the edit's rules on the given parcels (targets, in order). Throws DomainRuleException when a rule fails.</summary>
    public static async Task<EditPlan> PlanAsync(AppDbContext db, ParcelEdit edit, IReadOnlyList<Parcel> parcels, EditingOptions o, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(edit.Payload);
        var payload = doc.RootElement;
        var attrs = payload.TryGetProperty("attributes", out var a) && a.ValueKind == JsonValueKind.Object
            ? a.Deserialize<EditAttributes>(GeoJson.Options) : null;
        Polygon? geometry = payload.TryGetProperty("geometry", out var g) ? GeoJson.Read(g.GetRawText()) as Polygon : null;
        if (geometry is not null) geometry.SRID = Crs.StorageSrid;
        // FOR SHARE: inside an approval, a tariff change (which takes its row FOR UPDATE) waits for it or it for the change
        var zones = await db.ValuationZones.FromSql($"SELECT * FROM cadastre.valuation_zones FOR SHARE").AsNoTracking().ToDictionaryAsync(z => z.Code, ct);
        var types = await db.ConstructionTypes.FromSql($"SELECT * FROM cadastre.construction_types FOR SHARE").AsNoTracking().ToDictionaryAsync(c => c.Code, ct);
        ConstructionType Type(string code) => types.GetValueOrDefault(code)
            ?? throw new DomainRuleException($"Unknown construction type '{code}'", $"Tipo de construcción desconocido: '{code}'");

        var plan = new EditPlan(null, [], [], [], []);
        switch (edit.Kind)
        {
            case EditKind.Attributes:
            {
                var p = parcels[0];
                p.ChangeAttributes(attrs?.LandUse ?? p.LandUse, attrs?.BuiltAreaM2 ?? p.BuiltAreaM2, zones[p.ValuationZoneCode], Type(attrs?.ConstructionType ?? p.ConstructionTypeCode));
                plan.Changed.Add(p);
                return plan;
            }
            case EditKind.Reshape:
            {
                var p = parcels[0];
                var snapped = await ValidateShapeAsync(db, geometry!, [p.Id], o, ct);
                if (attrs is not null)
                    p.ChangeAttributes(attrs.LandUse ?? p.LandUse, attrs.BuiltAreaM2 ?? p.BuiltAreaM2, zones[p.ValuationZoneCode], Type(attrs.ConstructionType ?? p.ConstructionTypeCode));
                p.Reshape(snapped, o.MinAreaM2, zones[p.ValuationZoneCode], Type(p.ConstructionTypeCode));
                plan.Changed.Add(p);
                return plan with { Geometry = snapped };
            }
            case EditKind.Retire:
                parcels[0].Retire();
                plan.Retired.Add(parcels[0]);
                return plan;
            case EditKind.Create:
            {
                var clave = ClaveCatastral.TryParse(edit.TargetClaves[0], out var c) ? c.Value : throw new InvalidOperationException("clave checked at proposal");
                var key = clave.ToString();
                if (await db.Parcels.AnyAsync(x => x.Clave == key, ct) || await db.ParcelVersions.AnyAsync(x => x.Clave == key, ct))
                    throw new DomainRuleException($"Clave catastral {key} is already in use", $"La clave catastral {key} ya está en uso");
                var sibling = await db.Parcels.AsNoTracking().Where(x => x.Zone == clave.Zone && x.Block == clave.Block).OrderBy(x => x.Lot).FirstOrDefaultAsync(ct)
                    ?? throw new DomainRuleException($"Block {clave.Zone:D3}-{clave.Block:D4} has no parcels: new parcels go into existing blocks",
                        $"La manzana {clave.Zone:D3}-{clave.Block:D4} no tiene predios: los predios nuevos van en manzanas existentes");
                if (attrs?.LandUse is null || attrs.BuiltAreaM2 is null || attrs.ConstructionType is null)
                    throw new BadRequestException("A new parcel needs attributes landUse, builtAreaM2 and constructionType",
                        "Un predio nuevo necesita los atributos landUse, builtAreaM2 y constructionType", "attributes");
                var snapped = await ValidateShapeAsync(db, geometry!, [], o, ct);
                var created = Parcel.Create(clave, sibling.LocalityCvegeo, sibling.LocalityName, attrs.LandUse, snapped, attrs.BuiltAreaM2.Value,
                    zones[sibling.ValuationZoneCode], Type(attrs.ConstructionType));
                plan.Created.Add(created);
                return plan with { Geometry = snapped };
            }
            case EditKind.Split:
            {
                var p = parcels[0];
                var line = payload.TryGetProperty("splitLine", out var l) ? GeoJson.Read(l.GetRawText()) as LineString : null;
                var first = await NextLotAsync(db, p.Zone, p.Block, ct);
                var children = p.Split(line!, n => NewClaves(p.Zone, p.Block, first, n), o.MinAreaM2, o.MinWidthM, o.ShapeToleranceM2(),
                    zones[p.ValuationZoneCode], Type(p.ConstructionTypeCode));
                plan.Retired.Add(p);
                plan.Created.AddRange(children);
                plan.Lineage.AddRange(children.Select(ch => (p, ch)));
                return plan;
            }
            case EditKind.Merge:
            {
                var first = parcels[0];
                var lot = await NextLotAsync(db, first.Zone, first.Block, ct);
                var merged = Parcel.Merge(parcels, NewClaves(first.Zone, first.Block, lot, 1)[0], o.ShapeToleranceM2(), zones[first.ValuationZoneCode], Type(first.ConstructionTypeCode));
                if (Parcel.MetricArea(merged.Geom) < o.MinAreaM2)
                    throw new DomainRuleException("The merged parcel is below the minimum area", "El predio fusionado es menor que la superficie mínima");
                plan.Retired.AddRange(parcels);
                plan.Created.Add(merged);
                plan.Lineage.AddRange(parcels.Select(x => (x, merged)));
                return plan;
            }
            default:
                throw new InvalidOperationException(edit.Kind);
        }
    }

    private static IReadOnlyList<ClaveCatastral> NewClaves(int zone, int block, int firstLot, int n)
    {
        if (firstLot + n - 1 > 999)
            throw new DomainRuleException($"Block {zone:D3}-{block:D4} has no free lot numbers left", $"La manzana {zone:D3}-{block:D4} no tiene números de lote libres");
        return Enumerable.Range(firstLot, n).Select(l => new ClaveCatastral(zone, block, l)).ToList();
    }

    /// <summary>The next lot number never used in the block (current parcels and history alike).</summary>
    private static async Task<int> NextLotAsync(AppDbContext db, int zone, int block, CancellationToken ct)
    {
        var current = await db.Parcels.Where(p => p.Zone == zone && p.Block == block).MaxAsync(p => (int?)p.Lot, ct) ?? 0;
        var past = await db.ParcelVersions.Where(p => p.Zone == zone && p.Block == block).MaxAsync(p => (int?)p.Lot, ct) ?? 0;
        return Math.Max(current, past) + 1;
    }

    /// <summary>
    /// Snaps the outline onto neighbouring vertices, then checks it: OGC-valid, not below the minimum area, inside
    /// the municipality, overlapping no neighbour beyond the tolerance. Returns the snapped outline.
    /// </summary>
    public static async Task<Polygon> ValidateShapeAsync(AppDbContext db, Polygon polygon, long[] exclude, EditingOptions o, CancellationToken ct)
    {
        var near = polygon.Copy();
        near.SRID = Crs.StorageSrid;
        var neighbours = await db.Parcels.AsNoTracking()
            .Where(p => !exclude.Contains(p.Id) && p.Geom.IsWithinDistance(near, 0.0002))
            .Select(p => new { p.Clave, p.Geom }).ToListAsync(ct);
        var (snapped, _) = ParcelTopology.Snap(polygon, neighbours.Select(n => (Geometry)n.Geom), o.SnapToleranceM);
        snapped.SRID = Crs.StorageSrid;
        var validity = new IsValidOp(snapped).ValidationError;
        if (validity is not null)
            throw new DomainRuleException($"Invalid geometry: {validity.Message}", $"Geometría inválida: {validity.Message}", validity.Coordinate);
        var area = Parcel.MetricArea(snapped);
        if (area < o.MinAreaM2)
            throw new DomainRuleException(string.Create(CultureInfo.InvariantCulture, $"The parcel would measure {area:F2} m², less than the minimum of {o.MinAreaM2} m²"),
                string.Create(CultureInfo.InvariantCulture, $"El predio mediría {area:F2} m², menos que el mínimo de {o.MinAreaM2} m²"), snapped.InteriorPoint.Coordinate);
        var outside = await db.Database.SqlQuery<LonLat>($"""
            SELECT ST_X(pt) AS "Lon", ST_Y(pt) AS "Lat" FROM (
              SELECT ST_PointOnSurface(CASE WHEN m.geom IS NULL OR ST_IsEmpty(ST_Difference(x.g, m.geom)) THEN x.g ELSE ST_Difference(x.g, m.geom) END) AS pt
              FROM (SELECT ST_GeomFromText({snapped.AsText()}, 4326) AS g) x
              LEFT JOIN layers.municipalities m ON m.cvegeo = {o.MunicipalityCvegeo}
              WHERE m.geom IS NULL OR NOT ST_Covers(m.geom, x.g)) s
            """).ToListAsync(ct);
        if (outside.Count > 0)
            throw new DomainRuleException($"The parcel is not inside the municipality ({o.MunicipalityCvegeo})",
                $"El predio no está dentro del municipio ({o.MunicipalityCvegeo})", new Coordinate(outside[0].Lon, outside[0].Lat));
        ParcelTopology.CheckOverlaps(snapped, neighbours.Select(n => (n.Clave, (Geometry)n.Geom)), o.OverlapToleranceM2);
        return snapped;
    }

    /// <summary>Writes a planned edit: parcels, closed and new versions, lineage, owners of new parcels; the edit's state.</summary>
    public static async Task ApplyAsync(AppDbContext db, ParcelEdit edit, EditPlan plan, DateTime now, CancellationToken ct)
    {
        // new parcels inherit the owner of their (first) parent
        var owners = new Dictionary<Parcel, Owner>();
        foreach (var (parent, child) in plan.Lineage)
            if (!owners.ContainsKey(child) && await db.Owners.AsNoTracking().FirstOrDefaultAsync(x => x.ParcelId == parent.Id, ct) is { } owner)
                owners[child] = owner;
        var touched = plan.Changed.Concat(plan.Retired).Select(p => p.Id).ToList();
        foreach (var v in await db.ParcelVersions.Where(v => touched.Contains(v.ParcelId) && v.ValidTo == null).ToListAsync(ct))
            v.Close(now);
        var retired = plan.Retired.Select(p => p.Id).ToList();
        if (retired.Count > 0)
            await db.Owners.Where(o => o.ParcelId != null && retired.Contains(o.ParcelId.Value))
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.RetiredAt, now), ct);
        foreach (var p in plan.Retired) db.Parcels.Remove(p);
        db.Parcels.AddRange(plan.Created);
        await db.SaveChangesAsync(ct);
        foreach (var p in plan.Changed.Concat(plan.Created)) db.ParcelVersions.Add(ParcelVersion.Of(p, edit, now));
        foreach (var (parent, child) in plan.Lineage)
            db.ParcelLineage.Add(new ParcelLineage { ParentParcelId = parent.Id, ChildParcelId = child.Id, EditId = edit.Id });
        foreach (var (child, o) in owners)
            db.Owners.Add(new Owner { ParcelId = child.Id, Clave = child.Clave, FullName = o.FullName, Curp = o.Curp, Phone = o.Phone, Email = o.Email });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Marks superseded every other pending edit that the approved one made stale: it names a parcel the approved edit
    /// targeted, and one of its parcels is no longer at the version the edit was proposed on (changed, or retired).
    /// Such an edit could never be approved (412) and would stay pending forever. Set-based, one statement.
    /// Creates are not checked: their base version is 0 and their clave is checked again at approval.
    /// </summary>
    /// <remarks>
    /// Run it AFTER the approval's transaction commits, never inside it. A concurrent approval of one of those stale
    /// edits holds its own edit row (FOR UPDATE) while it waits for the parcel rows this approval holds; updating that
    /// edit row from inside this transaction would wait for it in turn: a deadlock. After the commit the parcel locks
    /// are gone, the other approval finds the new versions and answers 412, rolls back, and this statement then
    /// updates its row (it waits for the row, then re-checks the condition on it).
    /// </remarks>
    public static async Task<int> SupersedeStaleAsync(AppDbContext db, ParcelEdit approved, string by, DateTime now, CancellationToken ct)
    {
        var reason = $"Superseded by edit {approved.Id} / Sustituida por la edición {approved.Id}";
        return await db.Database.ExecuteSqlAsync($"""
            UPDATE cadastre.parcel_edits e
            SET state = {ParcelEdit.Superseded}, decided_at = {now}, decided_by = {by}, rejection_reason = {reason}
            WHERE e.state = {ParcelEdit.Pending} AND e.kind <> {EditKind.Create} AND e.id <> {approved.Id}
              AND e.target_claves && {approved.TargetClaves}
              AND EXISTS (SELECT 1 FROM unnest(e.target_claves, e.base_versions) t(clave, v)
                          LEFT JOIN cadastre.parcels p ON p.clave = t.clave
                          WHERE p.version IS DISTINCT FROM t.v)
            """, ct);
    }
}
