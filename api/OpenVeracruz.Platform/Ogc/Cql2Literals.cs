using System.Globalization;
using NetTopologySuite.Geometries;

namespace OpenVeracruz.Platform.Ogc;

/// <summary>Dates and timestamps of a filter: DATE('2026-06-01'), TIMESTAMP('2026-06-01T12:00:00Z') (kept in UTC).</summary>
public static class Cql2Instants
{
    /// <summary>date: true a DATE, false a TIMESTAMP, null whichever the text is (the ends of an interval in CQL2-JSON).</summary>
    public static Cql2Literal Parse(string text, bool? date, Cql2Where where, int at)
    {
        // GDAL 3.6's OAPIF driver writes a date as "2026-01-31T" (a T with no time after it): that day
        var day10 = text.Length == 11 && text[10] is 'T' or 't' ? text[..10] : text;
        if (date != false && DateOnly.TryParseExact(day10, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new Cql2Literal(day, Cql2LiteralKind.Date, at);
        if (date != true && text.Length >= 20 && text[10] is 'T' or 't'
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
            && (text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-'))
            return new Cql2Literal(DateTime.SpecifyKind(instant.UtcDateTime, DateTimeKind.Unspecified), Cql2LiteralKind.Timestamp, at);
        var what = date switch { true => "a date yyyy-MM-dd", false => "an RFC 3339 timestamp with its offset, e.g. 2026-06-01T12:00:00Z", _ => "a date or an RFC 3339 timestamp" };
        var whatEs = date switch { true => "una fecha aaaa-mm-dd", false => "un instante RFC 3339 con su desfase, p. ej. 2026-06-01T12:00:00Z", _ => "una fecha o un instante RFC 3339" };
        throw new Cql2Exception($"Invalid filter at {where.En}: '{(text.Length > 40 ? text[..40] : text)}' is not {what}",
            $"Filtro inválido en {where.Es}: '{(text.Length > 40 ? text[..40] : text)}' no es {whatEs}", where.At);
    }
}

/// <summary>Geometry literals checked as they are built: a ring is closed and has four positions, a line two.</summary>
public static class Cql2Geometries
{
    public static readonly GeometryFactory Factory = new(new PrecisionModel(), 0);

    private static Cql2Exception Bad(Cql2Where where, string en, string es) =>
        new($"Invalid filter at {where.En}: {en}", $"Filtro inválido en {where.Es}: {es}", where.At);

    public static LineString Line(Coordinate[] c, Cql2Where where) => c.Length >= 2
        ? Factory.CreateLineString(c)
        : throw Bad(where, "a LINESTRING needs at least 2 positions", "un LINESTRING necesita al menos 2 posiciones");

    public static Polygon Polygon(IReadOnlyList<Coordinate[]> rings, Cql2Where where)
    {
        foreach (var r in rings)
            if (r.Length < 4 || !r[0].Equals2D(r[^1]))
                throw Bad(where, "each ring of a POLYGON is closed (its last position repeats the first) and has at least 4 positions",
                    "cada anillo de un POLYGON es cerrado (su última posición repite la primera) y tiene al menos 4 posiciones");
        return Factory.CreatePolygon(Factory.CreateLinearRing(rings[0]), rings.Skip(1).Select(Factory.CreateLinearRing).ToArray());
    }

    /// <summary>BBOX(minx, miny, maxx, maxy) or with heights BBOX(minx, miny, minz, maxx, maxy, maxz), as a polygon.</summary>
    public static Polygon BBox(IReadOnlyList<double> n, Cql2Where where)
    {
        if (n.Count is not (4 or 6)) throw Bad(where, "BBOX takes 4 or 6 numbers", "BBOX recibe 4 o 6 números");
        var (x1, y1, x2, y2) = n.Count == 4 ? (n[0], n[1], n[2], n[3]) : (n[0], n[1], n[3], n[4]);
        if (x1 > x2 || y1 > y2) throw Bad(where, "a BBOX's minimum is not above its maximum", "el mínimo de un BBOX no supera su máximo");
        return Factory.CreatePolygon([new(x1, y1), new(x2, y1), new(x2, y2), new(x1, y2), new(x1, y1)]);
    }
}
