using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using Npgsql;
using OpenVeracruz.Platform.Shared;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace OpenVeracruz.Etl.Uploads;

/// <summary>Geometries of an upload: to 2D longitude/latitude, range-checked, repaired, and one geometry type for the layer.</summary>
public static class UploadGeometry
{
    /// <summary>The geometry ready for the layer (2D, EPSG:4326, valid), or null with the row rejected in the report.</summary>
    public static Geometry? Prepare(Geometry? g, long row, ImportReport report, MathTransform? transform = null)
    {
        if (g is null || g.IsEmpty) { report.Reject(row, "geometry", "no geometry"); return null; }
        g = Flatten(g);
        if (transform is not null) g = Crs.Reproject(g, transform, Crs.StorageSrid);
        foreach (var c in g.Coordinates)
        {
            if (!double.IsFinite(c.X) || !double.IsFinite(c.Y)) { report.Reject(row, "geometry", "a coordinate is not a number"); return null; }
            if (c.Y is < -90 or > 90) { report.Reject(row, "geometry", $"latitude {c.Y} is outside -90..90"); return null; }
            if (c.X is < -180 or > 180) { report.Reject(row, "geometry", $"longitude {c.X} is outside -180..180"); return null; }
        }
        if (!QuickValidity.SurelyValid(g) && !g.IsValid)
        {
            var fixedGeometry = GeometryFixer.Fix(g);
            if (fixedGeometry.IsEmpty) { report.Reject(row, "geometry", "invalid geometry that could not be repaired"); return null; }
            report.Repair(row, $"invalid {g.GeometryType} repaired (e.g. a self-intersection)");
            g = fixedGeometry;
        }
        g.SRID = Crs.StorageSrid;
        return g;
    }

    /// <summary>X and Y only: PostGIS refuses Z or M values in a 2D column.</summary>
    private static Geometry Flatten(Geometry g)
    {
        var hasMore = false;
        g.Apply(new SequenceProbe(seq => hasMore |= seq.Dimension > 2 || seq.Measures > 0));
        if (!hasMore) return g;
        var editor = new GeometryEditor(GeoJson.Factory);
        return editor.Edit(g, new GeometryEditor.CoordinateSequenceOperation((seq, _) =>
        {
            var flat = GeoJson.Factory.CoordinateSequenceFactory.Create(seq.Count, 2, 0);
            for (var i = 0; i < seq.Count; i++) { flat.SetX(i, seq.GetX(i)); flat.SetY(i, seq.GetY(i)); }
            return flat;
        }));
    }

    private sealed class SequenceProbe(Action<CoordinateSequence> see) : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;
        public bool GeometryChanged => false;
        public void Filter(CoordinateSequence seq) => see(seq);
    }

    private static string Family(string type) => type switch
    {
        "Point" or "MultiPoint" => "Point",
        "LineString" or "MultiLineString" or "LinearRing" => "LineString",
        "Polygon" or "MultiPolygon" => "Polygon",
        _ => "Geometry",
    };

    /// <summary>The layer's type: the single type of the file, the multi type when single and multi parts mix, else Geometry.</summary>
    public static string LayerType(IEnumerable<Geometry> geometries)
    {
        var types = geometries.Select(g => g.GeometryType).Distinct().ToList();
        if (types.Count == 0) return "Geometry";
        var families = types.Select(Family).Distinct().ToList();
        if (families.Count != 1 || families[0] == "Geometry") return "Geometry";
        return types.Count == 1 && types[0] != "LinearRing" ? types[0] : "Multi" + families[0];
    }

    /// <summary>The geometry in the layer's type (single parts promoted to multi).</summary>
    public static Geometry Conform(Geometry g, string type) =>
        type == "Geometry" ? g : LayerLoader.Conform(g is LinearRing ring ? GeoJson.Factory.CreateLineString(ring.CoordinateSequence) : g, type) ?? g;

    /// <summary>How the staff member unblocks an import whose CRS is unknown.</summary>
    public const string AskEpsg = "Give its EPSG code: resource_patch with id and epsg (e.g. epsg=32614), and the file is imported again.";
    public const string AskEpsgEs = "Indique su código EPSG: resource_patch con id y epsg (p. ej. epsg=32614), y el archivo se importa de nuevo.";

    private static readonly CoordinateSystemFactory Systems = new();
    private static readonly CoordinateTransformationFactory Transforms = new();

    /// <summary>
    /// The transform from a file's CRS to longitude/latitude: none for geographic coordinates (degrees, Greenwich),
    /// else ProjNet's from the WKT. Null <paramref name="wkt"/> means the file names no CRS. Throws a refusal that
    /// asks for the EPSG code when the CRS cannot be read or is not supported.
    /// </summary>
    public static MathTransform? TransformFrom(string wkt, string source, ImportReport report)
    {
        CoordinateSystem cs;
        try { cs = Systems.CreateFromWkt(wkt.Trim()); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or FormatException or InvalidOperationException or NullReferenceException or IndexOutOfRangeException)
        {
            throw report.Refuse($"The coordinate reference system of {source} could not be read ({e.Message}). " + AskEpsg,
                $"El sistema de referencia de coordenadas de {source} no se pudo leer ({e.Message}). " + AskEpsgEs, "crs");
        }
        if (cs is GeographicCoordinateSystem geo && geo.PrimeMeridian.Longitude == 0 && Math.Abs(geo.AngularUnit.RadiansPerUnit - Math.PI / 180) < 1e-12) return null;
        try { return Transforms.CreateFromCoordinateSystems(cs, GeographicCoordinateSystem.WGS84).MathTransform; }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or NotImplementedException or InvalidOperationException)
        {
            throw report.Refuse($"The coordinate reference system of {source} ({cs.Name}) is not supported ({e.Message}). " + AskEpsg,
                $"El sistema de referencia de coordenadas de {source} ({cs.Name}) no es compatible ({e.Message}). " + AskEpsgEs, "crs");
        }
    }

    /// <summary>The WKT of an EPSG code: the platform's own CRSs, else PostGIS's spatial_ref_sys.</summary>
    public static async Task<string> EpsgWktAsync(NpgsqlDataSource db, int epsg, ImportReport report, CancellationToken ct)
    {
        if (Crs.Supported.FirstOrDefault(c => c.Srid == epsg) is { } known) return known.Wkt;
        await using var cmd = db.CreateCommand("SELECT srtext FROM spatial_ref_sys WHERE auth_name = 'EPSG' AND auth_srid = @c");
        cmd.Parameters.AddWithValue("c", epsg);
        return await cmd.ExecuteScalarAsync(ct) as string is { Length: > 0 } wkt ? wkt
            : throw report.Refuse($"EPSG:{epsg} is not a coordinate reference system known here.", $"EPSG:{epsg} no es un sistema de referencia de coordenadas conocido aquí.", "epsg");
    }
}
