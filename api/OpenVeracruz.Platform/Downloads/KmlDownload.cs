using System.Globalization;
using System.Text;
using System.Xml;
using NetTopologySuite.Geometries;
using Npgsql;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Platform.Downloads;

/// <summary>
/// A layer as KML 2.2, written with an asynchronous XmlWriter straight to the response as rows arrive: one
/// Document named after the layer, one Placemark per feature (name = key, ExtendedData/Data per public property),
/// longitude,latitude coordinates with 7 decimals (≈ 1 cm), outer rings counter-clockwise.
/// </summary>
internal static class KmlDownload
{
    public const string ContentType = "application/vnd.google-earth.kml+xml";
    private const string Ns = "http://www.opengis.net/kml/2.2";

    public static async Task WriteAsync(Stream output, NpgsqlDataSource db, LayerDefinition layer, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var props = layer.Properties;
        var key = props.ToList().FindIndex(p => p.Name == layer.KeyColumn);
        var coordinates = new StringBuilder();
        XmlWriter? xml = null;
        try
        {
            await foreach (var row in LayerRow.ReadAsync(conn, layer, ct))
            {
                // the document starts with the first row, so a failing query is still answered as a problem
                xml ??= await StartAsync(output, layer);
                await xml.WriteStartElementAsync(null, "Placemark", Ns);
                if (row.Values[key] is { } name) await xml.WriteElementStringAsync(null, "name", Ns, LayerRow.Text(name));
                await xml.WriteStartElementAsync(null, "ExtendedData", Ns);
                for (var i = 0; i < props.Count; i++)
                {
                    if (row.Values[i] is not { } value) continue;
                    await xml.WriteStartElementAsync(null, "Data", Ns);
                    await xml.WriteAttributeStringAsync(null, "name", null, props[i].Name);
                    await xml.WriteElementStringAsync(null, "value", Ns, LayerRow.Text(value));
                    await xml.WriteEndElementAsync();
                }
                await xml.WriteEndElementAsync();
                if (row.Geometry is { IsEmpty: false } g) await GeometryAsync(xml, g, coordinates);
                await xml.WriteEndElementAsync();
            }
            xml ??= await StartAsync(output, layer);
            await xml.WriteEndElementAsync(); // Document
            await xml.WriteEndElementAsync(); // kml
            await xml.WriteEndDocumentAsync();
            await xml.FlushAsync();
        }
        finally
        {
            if (xml is not null) await xml.DisposeAsync();
        }
    }

    private static async Task<XmlWriter> StartAsync(Stream output, LayerDefinition layer)
    {
        var xml = XmlWriter.Create(output, new XmlWriterSettings { Async = true, Encoding = new UTF8Encoding(false), CloseOutput = false });
        await xml.WriteStartDocumentAsync();
        await xml.WriteStartElementAsync(null, "kml", Ns);
        await xml.WriteStartElementAsync(null, "Document", Ns);
        await xml.WriteElementStringAsync(null, "name", Ns, layer.Title);
        await xml.WriteElementStringAsync(null, "description", Ns, $"{layer.Description}\n\n{layer.Dataset.License.Attribution} ({layer.Dataset.License.Title})");
        return xml;
    }

    private static async Task GeometryAsync(XmlWriter xml, Geometry g, StringBuilder sb)
    {
        switch (g)
        {
            case Point p:
                await xml.WriteStartElementAsync(null, "Point", Ns);
                await CoordinatesAsync(xml, p.CoordinateSequence, false, sb);
                await xml.WriteEndElementAsync();
                break;
            case LineString l:
                await xml.WriteStartElementAsync(null, "LineString", Ns);
                await CoordinatesAsync(xml, l.CoordinateSequence, false, sb);
                await xml.WriteEndElementAsync();
                break;
            case Polygon p:
                await xml.WriteStartElementAsync(null, "Polygon", Ns);
                await RingAsync(xml, "outerBoundaryIs", p.Shell.CoordinateSequence, false, sb);
                foreach (var hole in p.Holes) await RingAsync(xml, "innerBoundaryIs", hole.CoordinateSequence, true, sb);
                await xml.WriteEndElementAsync();
                break;
            case GeometryCollection c: // MultiPoint, MultiLineString, MultiPolygon and collections
                await xml.WriteStartElementAsync(null, "MultiGeometry", Ns);
                for (var i = 0; i < c.NumGeometries; i++)
                    if (c.GetGeometryN(i) is { IsEmpty: false } part) await GeometryAsync(xml, part, sb);
                await xml.WriteEndElementAsync();
                break;
        }
    }

    private static async Task RingAsync(XmlWriter xml, string boundary, CoordinateSequence ring, bool clockwise, StringBuilder sb)
    {
        await xml.WriteStartElementAsync(null, boundary, Ns);
        await xml.WriteStartElementAsync(null, "LinearRing", Ns);
        await CoordinatesAsync(xml, ring, Rings.MustReverse(ring, clockwise), sb);
        await xml.WriteEndElementAsync();
        await xml.WriteEndElementAsync();
    }

    private static async Task CoordinatesAsync(XmlWriter xml, CoordinateSequence seq, bool reverse, StringBuilder sb)
    {
        sb.Clear();
        for (var i = 0; i < seq.Count; i++)
        {
            var (x, y) = Rings.Point(seq, i, reverse);
            if (i > 0) sb.Append(' ');
            sb.Append(Math.Round(x, 7).ToString(CultureInfo.InvariantCulture)).Append(',').Append(Math.Round(y, 7).ToString(CultureInfo.InvariantCulture));
        }
        await xml.WriteElementStringAsync(null, "coordinates", Ns, sb.ToString());
    }
}
