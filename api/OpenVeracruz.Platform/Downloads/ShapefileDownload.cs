using System.Buffers.Binary;
using System.Data;
using System.IO.Compression;
using System.Text;
using NetTopologySuite.Geometries;
using Npgsql;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Downloads;

/// <summary>
/// A layer as a zipped ESRI Shapefile: .shp, .shx and .dbf are written to temporary files (their headers hold
/// lengths and counts known only at the end), then zipped straight into the response with .prj (WGS 84) and
/// .cpg (UTF-8).
/// </summary>
internal static class ShapefileDownload
{
    public const string ContentType = "application/zip";

    /// <summary>WGS 84 in ESRI's WKT dialect, as ArcGIS and QGIS write it next to a shapefile.</summary>
    private const string Prj = """GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]""";

    /// <summary>Fails (before any byte is sent) when the layer's geometry type has no shapefile form.</summary>
    public static ShapeType TypeOf(LayerDefinition layer) => ShapeWriter.TypeFor(layer.GeometryType)
        ?? throw new BadRequestException($"Layer '{layer.Id}' ({layer.GeometryType}) cannot be written as a shapefile",
            $"La capa '{layer.Id}' ({layer.GeometryType}) no puede escribirse como shapefile", "layer", 404);

    /// <summary>Writes the .shp, .shx and .dbf of the layer into <paramref name="folder"/>, from one database snapshot.</summary>
    public static async Task<string[]> WriteFilesAsync(NpgsqlDataSource db, LayerDefinition layer, TempFolder folder, CancellationToken ct)
    {
        var type = TypeOf(layer);
        var files = new[] { ".shp", ".shx", ".dbf" }.Select(ext => folder.File(layer.Id + ext)).ToArray();
        await using var conn = await db.OpenConnectionAsync(ct);
        // the field widths and the rows come from the same snapshot, so no value can outgrow its field
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var widths = await WidthsAsync(conn, layer, ct);
        using var shapes = new ShapeWriter(files[0], files[1], type);
        using var table = new DbfWriter(files[2], DbfWriter.Fields(layer.Properties, widths));
        await foreach (var row in LayerRow.ReadAsync(conn, layer, ct))
        {
            shapes.Write(row.Geometry);
            table.Write(row.Values);
        }
        shapes.Complete();
        table.Complete();
        await tx.CommitAsync(ct);
        return files;
    }

    private static async Task<List<int?>> WidthsAsync(NpgsqlConnection conn, LayerDefinition layer, CancellationToken ct)
    {
        await using var cmd = LayerSql.TextWidths(conn, layer);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? (int?)null : reader.GetInt32(i)).ToList();
    }

    /// <summary>Zips the written files, the .prj and the .cpg into <paramref name="output"/> without a temporary zip.</summary>
    public static async Task ZipAsync(Stream output, LayerDefinition layer, IEnumerable<string> files, CancellationToken ct)
    {
        var body = new DeferredWriteStream(output);
        await using (var zip = await ZipArchive.CreateAsync(body, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
            await AddEntriesAsync(zip, layer, files, ct);
        await body.FlushAsync(ct);
    }

    private static async Task AddEntriesAsync(ZipArchive zip, LayerDefinition layer, IEnumerable<string> files, CancellationToken ct)
    {
        foreach (var file in files)
        {
            await using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
            await using var entry = await zip.CreateEntry(Path.GetFileName(file), CompressionLevel.Fastest).OpenAsync(ct);
            await source.CopyToAsync(entry, ct);
        }
        foreach (var (ext, text) in new[] { (".prj", Prj), (".cpg", "UTF-8") })
        {
            await using var entry = await zip.CreateEntry(layer.Id + ext, CompressionLevel.Fastest).OpenAsync(ct);
            await entry.WriteAsync(Encoding.ASCII.GetBytes(text), ct);
        }
    }
}

/// <summary>Shape types of the ESRI Shapefile specification (2D).</summary>
internal enum ShapeType { Null = 0, Point = 1, PolyLine = 3, Polygon = 5, MultiPoint = 8 }

/// <summary>
/// The .shp (shapes) and .shx (their offsets) of one shapefile. Big-endian record headers, little-endian content;
/// polygons with ESRI's orientation: outer rings clockwise, holes counter-clockwise.
/// </summary>
internal sealed class ShapeWriter : IDisposable
{
    private const int HeaderBytes = 100;
    private const long MaxBytes = int.MaxValue; // the format's 2 GB

    private readonly BinaryWriter _shp, _shx;
    private readonly ShapeType _type;
    private readonly Envelope _extent = new();
    private readonly List<(CoordinateSequence Points, bool Reverse)> _parts = [];
    private int _records;

    public ShapeWriter(string shpPath, string shxPath, ShapeType type)
    {
        _type = type;
        _shp = new BinaryWriter(new FileStream(shpPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024));
        _shx = new BinaryWriter(new FileStream(shxPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024));
        _shp.Write(new byte[HeaderBytes]);
        _shx.Write(new byte[HeaderBytes]);
    }

    public static ShapeType? TypeFor(string geometryType) => geometryType switch
    {
        "Point" => ShapeType.Point,
        "MultiPoint" => ShapeType.MultiPoint,
        "LineString" or "MultiLineString" => ShapeType.PolyLine,
        "Polygon" or "MultiPolygon" => ShapeType.Polygon,
        _ => null,
    };

    private static void BigEndian(BinaryWriter w, int value) => w.Write(BinaryPrimitives.ReverseEndianness(value));

    public void Write(Geometry? g)
    {
        var offset = _shp.BaseStream.Position;
        if (offset >= MaxBytes) throw new InvalidOperationException("a shapefile cannot exceed 2 GB");
        var points = 0;
        _parts.Clear();
        if (g is { IsEmpty: false })
        {
            switch (_type)
            {
                case ShapeType.Polygon:
                    foreach (var polygon in Rings.Polygons(g))
                    {
                        var shell = polygon.Shell.CoordinateSequence;
                        _parts.Add((shell, Rings.MustReverse(shell, clockwise: true)));
                        foreach (var hole in polygon.Holes)
                            _parts.Add((hole.CoordinateSequence, Rings.MustReverse(hole.CoordinateSequence, clockwise: false)));
                    }
                    break;
                case ShapeType.PolyLine:
                    for (var i = 0; i < g.NumGeometries; i++)
                        if (g.GetGeometryN(i) is LineString { IsEmpty: false } line) _parts.Add((line.CoordinateSequence, false));
                    break;
                default:
                    points = g.NumPoints;
                    break;
            }
            points += _parts.Sum(p => p.Points.Count);
        }
        var type = points == 0 ? ShapeType.Null : _type;
        var contentBytes = type switch
        {
            ShapeType.Null => 4,
            ShapeType.Point => 20,
            ShapeType.MultiPoint => 40 + 16 * points,
            _ => 44 + 4 * _parts.Count + 16 * points,
        };
        BigEndian(_shx, (int)(offset / 2));
        BigEndian(_shx, contentBytes / 2);
        BigEndian(_shp, ++_records);
        BigEndian(_shp, contentBytes / 2);
        _shp.Write((int)type);
        if (type == ShapeType.Null) return;
        var e = g!.EnvelopeInternal;
        _extent.ExpandToInclude(e);
        if (type == ShapeType.Point)
        {
            var c = g.Coordinate;
            _shp.Write(c.X);
            _shp.Write(c.Y);
            return;
        }
        Box(_shp, e);
        if (type == ShapeType.MultiPoint)
        {
            _shp.Write(points);
            foreach (var c in g.Coordinates)
            {
                _shp.Write(c.X);
                _shp.Write(c.Y);
            }
            return;
        }
        _shp.Write(_parts.Count);
        _shp.Write(points);
        var start = 0;
        foreach (var part in _parts)
        {
            _shp.Write(start);
            start += part.Points.Count;
        }
        foreach (var (seq, reverse) in _parts)
            for (var i = 0; i < seq.Count; i++)
            {
                var (x, y) = Rings.Point(seq, i, reverse);
                _shp.Write(x);
                _shp.Write(y);
            }
    }

    private static void Box(BinaryWriter w, Envelope e)
    {
        w.Write(e.IsNull ? 0 : e.MinX);
        w.Write(e.IsNull ? 0 : e.MinY);
        w.Write(e.IsNull ? 0 : e.MaxX);
        w.Write(e.IsNull ? 0 : e.MaxY);
    }

    /// <summary>Writes both headers: file code, length in 16-bit words, version 1000, shape type and extent.</summary>
    public void Complete()
    {
        foreach (var w in new[] { _shp, _shx })
        {
            w.Flush();
            var length = w.BaseStream.Length;
            w.Seek(0, SeekOrigin.Begin);
            BigEndian(w, 9994);
            for (var i = 0; i < 5; i++) BigEndian(w, 0);
            BigEndian(w, (int)(length / 2));
            w.Write(1000);
            w.Write((int)_type);
            Box(w, _extent);
            for (var i = 0; i < 4; i++) w.Write(0.0); // z and m ranges
            w.Flush();
        }
    }

    public void Dispose()
    {
        _shp.Dispose();
        _shx.Dispose();
    }
}
