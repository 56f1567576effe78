using System.Buffers;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Etl;

/// <summary>
/// Reads the features of a GeoJSON FeatureCollection one at a time from a stream, never the whole document: a window of
/// the file (1 MiB, grown only for a feature longer than that) under one <see cref="Utf8JsonReader"/> per feature,
/// resumed from the state after the previous one; a feature cut by the end of the window is read again from its start
/// once the window is refilled. Per feature it keeps only the properties asked for (their text, as the layer parses it)
/// and the geometry (2D, SRID left to the caller). Memory is one feature's worth, whatever the file's size.
/// </summary>
public sealed class GeoJsonFeatures : IDisposable
{
    private readonly Stream _stream;
    private readonly string _name;
    private readonly Dictionary<string, int> _wanted;
    private readonly byte[][] _names;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
    private int _start, _end;
    private bool _final, _begun, _inFeatures, _done;
    private JsonReaderState _state = new(new JsonReaderOptions { MaxDepth = 256 });

    /// <summary>Thrown inside a feature when the window ends before it: the window is refilled and the feature read again.</summary>
    private sealed class NeedMore : Exception;
    private static readonly NeedMore More = new();

    /// <param name="wanted">the property names to keep; <see cref="Values"/> holds their text in this order</param>
    public GeoJsonFeatures(Stream stream, string name, IReadOnlyList<string> wanted)
    {
        _stream = stream;
        _name = name;
        _wanted = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < wanted.Count; i++) _wanted.TryAdd(wanted[i], i);
        Values = new string?[wanted.Count];
        _names = wanted.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    /// <summary>The current feature's wanted properties as text (a string's value, else the value's JSON as written in the file), null when missing or null.</summary>
    public string?[] Values { get; }

    /// <summary>The current feature's geometry, null when it has none.</summary>
    public Geometry? Geometry { get; private set; }

    /// <summary>Moves to the next feature; false after the last one.</summary>
    public bool Next()
    {
        if (_done) return false;
        while (true)
        {
            if (!_begun) { Refill(); _begun = true; }
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
            try
            {
                var more = _inFeatures ? Feature(ref reader) : FindFeatures(ref reader);
                _start += (int)reader.BytesConsumed;
                _state = reader.CurrentState;
                if (!_inFeatures) { _inFeatures = true; continue; }
                if (!more) _done = true;
                return more;
            }
            catch (NeedMore)
            {
                if (_final) throw Bad("the file ends before the FeatureCollection does");
                Refill();
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                throw Bad($"the file is not valid GeoJSON ({e.Message})");
            }
        }
    }

    private static void Read(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw More;
    }

    private static void Skip(ref Utf8JsonReader r)
    {
        if (!r.TrySkip()) throw More;
    }

    /// <summary>Checks that the root is a FeatureCollection and stops at the start of its features array (the members before it are skipped).</summary>
    private bool FindFeatures(ref Utf8JsonReader r)
    {
        Read(ref r);
        if (r.TokenType != JsonTokenType.StartObject) throw Bad("the file is not a GeoJSON FeatureCollection");
        _sawType = false;
        for (Read(ref r); r.TokenType == JsonTokenType.PropertyName; Read(ref r))
        {
            if (r.ValueTextEquals("type"u8)) CheckType(ref r);
            else if (r.ValueTextEquals("features"u8))
            {
                Read(ref r);
                if (r.TokenType != JsonTokenType.StartArray) throw Bad("the FeatureCollection has no features array");
                return true;
            }
            else { Read(ref r); Skip(ref r); }
        }
        throw Bad(_sawType ? "the FeatureCollection has no features array" : "the file is not a GeoJSON FeatureCollection");
    }

    /// <summary>Whether the root's "type" was seen: members may come in any order, so it may follow the features.</summary>
    private bool _sawType;

    private void CheckType(ref Utf8JsonReader r)
    {
        Read(ref r);
        if (r.TokenType != JsonTokenType.String || !r.ValueTextEquals("FeatureCollection"u8)) throw Bad("the file is not a GeoJSON FeatureCollection");
        _sawType = true;
    }

    /// <summary>One feature into <see cref="Values"/> and <see cref="Geometry"/>; false at the end of the features (the rest of the file is checked).</summary>
    private bool Feature(ref Utf8JsonReader r)
    {
        Read(ref r);
        if (r.TokenType == JsonTokenType.EndArray)
        {
            // the members after the features, to the end of the document
            for (Read(ref r); r.TokenType == JsonTokenType.PropertyName; Read(ref r))
                if (r.ValueTextEquals("type"u8)) CheckType(ref r);
                else { Read(ref r); Skip(ref r); }
            if (r.TokenType != JsonTokenType.EndObject) throw Bad("the FeatureCollection does not end properly");
            // a root without "type": FeatureCollection is refused here at the latest (a load is still one transaction)
            if (!_sawType) throw Bad("the file is not a GeoJSON FeatureCollection");
            return false;
        }
        if (r.TokenType != JsonTokenType.StartObject) throw Bad("a feature is not a JSON object");
        Array.Clear(Values);
        Geometry = null;
        for (Read(ref r); r.TokenType == JsonTokenType.PropertyName; Read(ref r))
        {
            if (r.ValueTextEquals("geometry"u8)) { Read(ref r); Geometry = r.TokenType == JsonTokenType.Null ? null : ReadGeometry(ref r); }
            else if (r.ValueTextEquals("properties"u8)) { Read(ref r); ReadProperties(ref r); }
            else { Read(ref r); Skip(ref r); }
        }
        return true;
    }

    private void ReadProperties(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return;
        if (r.TokenType != JsonTokenType.StartObject) throw Bad("a feature's properties are not a JSON object");
        for (Read(ref r); r.TokenType == JsonTokenType.PropertyName; Read(ref r))
        {
            var slot = Slot(ref r);
            Read(ref r);
            if (slot < 0) { Skip(ref r); continue; }
            switch (r.TokenType)
            {
                case JsonTokenType.Null: Values[slot] = null; break;
                case JsonTokenType.String: Values[slot] = r.GetString(); break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    // the whole value must be in the window before it is parsed: a copy of the reader skips it first
                    var whole = r;
                    Skip(ref whole);
                    using (var value = JsonDocument.ParseValue(ref r)) Values[slot] = value.RootElement.GetRawText();
                    break;
                default: Values[slot] = Encoding.UTF8.GetString(r.ValueSpan); break;
            }
        }
    }

    /// <summary>The wanted slot of the current property name, -1 when it is not wanted.</summary>
    private int Slot(ref Utf8JsonReader r)
    {
        if (r.ValueIsEscaped) return _wanted.TryGetValue(r.GetString()!, out var s) ? s : -1;
        var name = r.ValueSpan;
        for (var i = 0; i < _names.Length; i++)
            if (name.SequenceEqual(_names[i])) return i;
        return -1;
    }

    /// <summary>A GeoJSON geometry object (the reader stands on its start); Z and M are dropped.</summary>
    private Geometry ReadGeometry(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw Bad("a geometry is not a JSON object");
        string? type = null;
        object? coordinates = null;
        List<Geometry>? parts = null;
        for (Read(ref r); r.TokenType == JsonTokenType.PropertyName; Read(ref r))
        {
            if (r.ValueTextEquals("type"u8)) { Read(ref r); type = r.TokenType == JsonTokenType.String ? r.GetString() : throw Bad("a geometry's type is not a string"); }
            else if (r.ValueTextEquals("coordinates"u8)) { Read(ref r); coordinates = ReadCoordinates(ref r); }
            else if (r.ValueTextEquals("geometries"u8))
            {
                Read(ref r);
                if (r.TokenType != JsonTokenType.StartArray) throw Bad("a GeometryCollection's geometries are not an array");
                parts = [];
                for (Read(ref r); r.TokenType != JsonTokenType.EndArray; Read(ref r)) parts.Add(ReadGeometry(ref r));
            }
            else { Read(ref r); Skip(ref r); }
        }
        var f = GeoJson.Factory;
        try
        {
            return type switch
            {
                "Point" => f.CreatePoint((Coordinate)coordinates!),
                "LineString" => f.CreateLineString(Line(coordinates)),
                "Polygon" => Polygon(coordinates),
                "MultiPoint" => f.CreateMultiPoint(Parts(coordinates, c => f.CreatePoint((Coordinate)c))),
                "MultiLineString" => f.CreateMultiLineString(Parts(coordinates, l => f.CreateLineString(Line(l)))),
                "MultiPolygon" => f.CreateMultiPolygon(Parts(coordinates, Polygon)),
                "GeometryCollection" => f.CreateGeometryCollection(parts?.ToArray() ?? throw Bad("a GeometryCollection has no geometries")),
                _ => throw Bad($"'{type}' is not a GeoJSON geometry type"),
            };
        }
        catch (Exception e) when (e is InvalidCastException or NullReferenceException or ArgumentException or IndexOutOfRangeException)
        {
            throw Bad($"a {type} has coordinates of the wrong shape ({e.Message})");
        }
    }

    private static T[] Parts<T>(object? o, Func<object, T> part)
    {
        var list = (List<object>)o!;
        var result = new T[list.Count];
        for (var i = 0; i < result.Length; i++) result[i] = part(list[i]);
        return result;
    }

    private static Coordinate[] Line(object? o) => Parts(o, c => (Coordinate)c);

    private static Polygon Polygon(object? o)
    {
        var rings = Parts(o, r => GeoJson.Factory.CreateLinearRing(Line(r)));
        return GeoJson.Factory.CreatePolygon(rings[0], rings[1..]);
    }

    /// <summary>Nested arrays of positions: a position becomes a <see cref="Coordinate"/>, an array of them a list.</summary>
    private object ReadCoordinates(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray) throw Bad("coordinates are not an array");
        Read(ref r);
        if (r.TokenType == JsonTokenType.Number)
        {
            var x = r.GetDouble();
            Read(ref r);
            if (r.TokenType != JsonTokenType.Number) throw Bad("a position has fewer than two numbers");
            var y = r.GetDouble();
            for (Read(ref r); r.TokenType == JsonTokenType.Number; Read(ref r)) { }
            if (r.TokenType != JsonTokenType.EndArray) throw Bad("a position holds something other than numbers");
            return new Coordinate(x, y);
        }
        var list = new List<object>();
        for (; r.TokenType != JsonTokenType.EndArray; Read(ref r)) list.Add(ReadCoordinates(ref r));
        return list;
    }

    /// <summary>Moves what is left of the window to its start (a larger window when a feature fills it) and reads more of the file.</summary>
    private void Refill()
    {
        var left = _end - _start;
        if (_begun && left == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(_start, left).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        else _buffer.AsSpan(_start, left).CopyTo(_buffer);
        _start = 0;
        _end = left;
        var read = _stream.ReadAtLeast(_buffer.AsSpan(_end), _buffer.Length - _end, throwOnEndOfStream: false);
        _final = _end + read < _buffer.Length;
        if (!_begun && read >= 3 && _buffer.AsSpan(0, 3).SequenceEqual((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) _start = 3; // a UTF-8 byte order mark
        _end += read;
    }

    private InvalidDataException Bad(string why) => new($"{_name}: {why}");

    public void Dispose()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
