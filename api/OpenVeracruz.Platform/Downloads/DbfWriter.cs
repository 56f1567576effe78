using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.Downloads;

/// <summary>A dBase III field: name of at most 10 ASCII characters, type C (text), N (number) or D (date), width in bytes.</summary>
internal sealed record DbfField(string Name, char Type, int Width, int Decimals);

/// <summary>
/// The attribute table of a shapefile (dBase III). Text is UTF-8, declared by the shapefile's <c>.cpg</c>;
/// the record count in the header is written when the table is complete.
/// </summary>
internal sealed class DbfWriter : IDisposable
{
    public const int MaxNameLength = 10;
    private const int MaxTextWidth = 254;
    private const int MaxIntegerWidth = 20; // -9223372036854775808
    private const int RealWidth = 24, RealDecimals = 15; // what GDAL itself writes for doubles

    private readonly FileStream _file;
    private readonly IReadOnlyList<DbfField> _fields;
    private readonly byte[] _record;
    private int _count;

    public DbfWriter(string path, IReadOnlyList<DbfField> fields)
    {
        if (fields.Count is 0 or > 254) throw new ArgumentException("a dBase table holds 1 to 254 fields", nameof(fields));
        _fields = fields;
        _record = new byte[1 + fields.Sum(f => f.Width)];
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
        WriteHeader();
    }

    private int HeaderLength => 32 + 32 * _fields.Count + 1;

    private void WriteHeader()
    {
        var h = new byte[HeaderLength];
        var today = DateTime.UtcNow;
        h[0] = 0x03; // dBase III without memo
        h[1] = (byte)(today.Year - 1900);
        h[2] = (byte)today.Month;
        h[3] = (byte)today.Day;
        BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(4), _count);
        BinaryPrimitives.WriteInt16LittleEndian(h.AsSpan(8), (short)HeaderLength);
        BinaryPrimitives.WriteInt16LittleEndian(h.AsSpan(10), (short)_record.Length);
        // byte 29, the language driver, stays 0: the .cpg names the encoding
        for (var i = 0; i < _fields.Count; i++)
        {
            var f = _fields[i];
            var d = h.AsSpan(32 + 32 * i, 32);
            Encoding.ASCII.GetBytes(f.Name, d); // name, zero-padded to 11 bytes
            d[11] = (byte)f.Type;
            d[16] = (byte)f.Width;
            d[17] = (byte)f.Decimals;
        }
        h[^1] = 0x0D;
        _file.Position = 0;
        _file.Write(h);
    }

    /// <summary>One record; values typed as <see cref="LayerRow.Values"/>.</summary>
    public void Write(object?[] values)
    {
        var r = _record.AsSpan();
        r.Fill((byte)' '); // byte 0: not deleted
        var at = 1;
        for (var i = 0; i < _fields.Count; i++)
        {
            var f = _fields[i];
            var cell = r.Slice(at, f.Width);
            at += f.Width;
            switch (f.Type, values[i])
            {
                case ('C', null):
                    break;
                case ('C', { } v):
                    Utf8Prefix(LayerRow.Text(v), cell);
                    break;
                case ('D', DateOnly d):
                    Encoding.ASCII.GetBytes(d.ToString("yyyyMMdd", CultureInfo.InvariantCulture), cell);
                    break;
                case ('D', _):
                    cell.Fill((byte)'0'); // an empty date, as GDAL writes it
                    break;
                case ('N', double d) when double.IsFinite(d):
                    RightAligned(d.ToString("R", CultureInfo.InvariantCulture), cell);
                    break;
                case ('N', long l):
                    RightAligned(l.ToString(CultureInfo.InvariantCulture), cell);
                    break;
                default:
                    cell.Fill((byte)'*'); // an empty number
                    break;
            }
        }
        _file.Write(_record);
        _count++;
    }

    /// <summary>Numbers are right-aligned; one that does not fit is written as empty rather than cut.</summary>
    private static void RightAligned(string text, Span<byte> cell)
    {
        if (text.Length > cell.Length) { cell.Fill((byte)'*'); return; }
        Encoding.ASCII.GetBytes(text, cell[(cell.Length - text.Length)..]);
    }

    /// <summary>As many whole UTF-8 characters as fit, left-aligned (the rest of the cell stays blank).</summary>
    internal static int Utf8Prefix(string text, Span<byte> cell)
    {
        var written = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (written + rune.Utf8SequenceLength > cell.Length) break;
            written += rune.EncodeToUtf8(cell[written..]);
        }
        return written;
    }

    /// <summary>Writes the end-of-file mark and the final record count.</summary>
    public void Complete()
    {
        _file.WriteByte(0x1A);
        WriteHeader();
        _file.Flush();
    }

    public void Dispose() => _file.Dispose();

    /// <summary>
    /// The fields of a layer: names cut to 10 characters and made unique in registry order (a clash keeps a shorter
    /// prefix and gets _1, _2, …), widths from the widest value in bytes (<see cref="LayerSql.TextWidths"/>).
    /// </summary>
    public static List<DbfField> Fields(IReadOnlyList<LayerPropertyManifest> properties, IReadOnlyList<int?> widths)
    {
        var names = FieldNames(properties.Select(p => p.Name).ToList());
        return properties.Select((p, i) => p.Type switch
        {
            "integer" => new DbfField(names[i], 'N', Math.Clamp(widths[i] ?? 1, 1, MaxIntegerWidth), 0),
            "number" => new DbfField(names[i], 'N', RealWidth, RealDecimals),
            "date" => new DbfField(names[i], 'D', 8, 0),
            _ => new DbfField(names[i], 'C', Math.Clamp(widths[i] ?? 1, 1, MaxTextWidth), 0),
        }).ToList();
    }

    public static List<string> FieldNames(IReadOnlyList<string> names)
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<string>(names.Count);
        foreach (var name in names)
        {
            var candidate = name.Length <= MaxNameLength ? name : name[..MaxNameLength];
            for (var n = 1; !taken.Add(candidate); n++)
            {
                var suffix = "_" + n.ToString(CultureInfo.InvariantCulture);
                candidate = name[..Math.Min(name.Length, MaxNameLength - suffix.Length)] + suffix;
            }
            result.Add(candidate);
        }
        return result;
    }
}
