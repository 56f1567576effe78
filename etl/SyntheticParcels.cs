using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using OpenVeracruz.Platform.Cadastre;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Etl;

/// <summary>An urban locality polygon the generator lays blocks into.</summary>
public sealed record UrbanLocality(string Cvegeo, string Name, Geometry LonLat);

/// <summary>A generated parcel and its synthetic owner.</summary>
public sealed record GeneratedParcel(Parcel Parcel, Owner Owner);

/// <summary>
/// SYNTHETIC cadastre generator. Deterministic: the same seed, count and localities always give the same parcels.
/// Blocks (manzanas) of 100 m × 60 m separated by 12 m streets are laid on a grid in UTM 14N inside each urban
/// locality polygon; blocks are used from the historic centre outwards; each block holds two rows of lots whose
/// frontages are drawn from the seed. Lots share edges and never overlap.
/// </summary>
public static class SyntheticParcels
{
    public const string Version = "synthetic-parcels-2";
    public const double BlockWidth = 100, BlockDepth = 60, Street = 12;
    /// <summary>Plaza de la Constitución, historic centre of Veracruz.</summary>
    public static readonly (double Lon, double Lat) Centre = (-96.1343, 19.2005);

    public static readonly IReadOnlyList<ValuationZone> Zones =
    [
        new() { Code = "VZ-01", Name = "Centro Histórico", LandValuePerM2 = 6500 },
        new() { Code = "VZ-02", Name = "Primer cuadro y malecón", LandValuePerM2 = 5200 },
        new() { Code = "VZ-03", Name = "Zona urbana consolidada", LandValuePerM2 = 4200 },
        new() { Code = "VZ-04", Name = "Zona urbana intermedia", LandValuePerM2 = 3000 },
        new() { Code = "VZ-05", Name = "Periferia urbana", LandValuePerM2 = 1800 },
    ];

    public static readonly IReadOnlyList<ConstructionType> Constructions =
    [
        new() { Code = "HAB-POP", Name = "Habitacional popular", ValuePerM2 = 4200 },
        new() { Code = "HAB-MED", Name = "Habitacional medio", ValuePerM2 = 7800 },
        new() { Code = "HAB-RES", Name = "Habitacional residencial", ValuePerM2 = 12500 },
        new() { Code = "COM", Name = "Comercial", ValuePerM2 = 9500 },
        new() { Code = "MIX", Name = "Mixto habitacional-comercial", ValuePerM2 = 8200 },
        new() { Code = "IND", Name = "Industrial / bodega", ValuePerM2 = 6000 },
        new() { Code = "EQU", Name = "Equipamiento", ValuePerM2 = 7000 },
        new() { Code = "SIN", Name = "Sin construcción", ValuePerM2 = 0 },
    ];

    private static ValuationZone ZoneFor(double distanceM) => distanceM switch
    {
        < 1500 => Zones[0],
        < 3000 => Zones[1],
        < 5000 => Zones[2],
        < 8000 => Zones[3],
        _ => Zones[4],
    };

    private sealed record Block(UrbanLocality Locality, int LocalityIndex, double X, double Y, double Distance);

    public static IEnumerable<GeneratedParcel> Generate(IReadOnlyList<UrbanLocality> localities, int count, int seed)
    {
        if (count < 1) yield break;
        var toMetric = Crs.Transform(Crs.Crs84, Crs.Utm14N);
        var toLonLat = Crs.Transform(Crs.Utm14N, Crs.Crs84);
        var (cx, cy) = Crs.ToMetric(Centre.Lon, Centre.Lat);
        var metricFactory = new GeometryFactory(new PrecisionModel(), Crs.MetricSrid);

        // 1. candidate blocks: every grid cell wholly inside an urban locality
        var blocks = new List<Block>();
        for (var li = 0; li < localities.Count; li++)
        {
            var metric = Crs.Reproject(localities[li].LonLat, toMetric, Crs.MetricSrid);
            var prepared = PreparedGeometryFactory.Prepare(metric);
            var env = metric.EnvelopeInternal;
            const double px = BlockWidth + Street, py = BlockDepth + Street;
            for (var y = Math.Floor(env.MinY / py) * py; y + BlockDepth <= env.MaxY; y += py)
                for (var x = Math.Floor(env.MinX / px) * px; x + BlockWidth <= env.MaxX; x += px)
                {
                    var rect = metricFactory.ToGeometry(new Envelope(x, x + BlockWidth, y, y + BlockDepth));
                    if (prepared.Contains(rect))
                        blocks.Add(new Block(localities[li], li + 1, x, y, Math.Sqrt((x + BlockWidth / 2 - cx) * (x + BlockWidth / 2 - cx) + (y + BlockDepth / 2 - cy) * (y + BlockDepth / 2 - cy))));
                }
        }
        blocks.Sort((a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.LocalityIndex != b.LocalityIndex ? a.LocalityIndex.CompareTo(b.LocalityIndex) : a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.X.CompareTo(b.X));

        // 2. density: two rows of lots with 8–14 m frontages (about 18 lots a block) while the blocks suffice; a larger
        //    count gets more rows (shallower lots, up to 6 a block) and narrower frontages (≈ 3 m at least)
        var (rows, scale) = Density(blocks.Count, count);

        var rng = new Random(seed);
        var blockNumbers = new Dictionary<int, int>();
        var produced = 0;
        foreach (var block in blocks)
        {
            var zone = ZoneFor(block.Distance);
            var blockNo = blockNumbers[block.LocalityIndex] = blockNumbers.GetValueOrDefault(block.LocalityIndex) + 1;
            if (blockNo > 9999) continue;
            var lotNo = 0;
            for (var row = 0; row < rows; row++)
            {
                var y0 = block.Y + row * BlockDepth / rows;
                var x = block.X;
                while (x < block.X + BlockWidth - 0.01)
                {
                    var width = (8 + rng.NextDouble() * 6) * scale;
                    var x1 = block.X + BlockWidth - (x + width) < 4 * scale ? block.X + BlockWidth : x + width;
                    var metricLot = metricFactory.CreatePolygon([new(x, y0), new(x1, y0), new(x1, y0 + BlockDepth / rows), new(x, y0 + BlockDepth / rows), new(x, y0)]);
                    x = x1;
                    lotNo++;
                    var lonLat = Crs.Reproject(metricLot, toLonLat, Crs.StorageSrid);
                    var (use, construction, builtRatio) = Draw(rng, block.Distance);
                    var land = metricLot.Area;
                    var parcel = Parcel.Create(new ClaveCatastral(block.LocalityIndex, blockNo, lotNo), block.Locality.Cvegeo, block.Locality.Name,
                        use, (Polygon)lonLat, land * builtRatio, zone, construction);
                    yield return new GeneratedParcel(parcel, SyntheticOwner(rng, produced));
                    if (++produced >= count) yield break;
                }
            }
        }
    }

    /// <summary>Rows of lots per block and the frontage scale that fit <paramref name="count"/> lots into the blocks.</summary>
    public static (int Rows, double Scale) Density(int blocks, int count)
    {
        const double meanFrontage = 11, minScale = 4.0 / 11;
        var perBlock = count / (double)Math.Max(blocks, 1);
        var defaultLots = 2 * (int)(BlockWidth / meanFrontage);
        if (perBlock <= defaultLots) return (2, 1.0);
        for (var rows = 2; rows <= 6; rows++)
        {
            var scale = rows * BlockWidth / (meanFrontage * perBlock) * 0.95;
            if (scale >= minScale) return (rows, Math.Min(1.0, scale));
        }
        return (6, minScale); // the urban area is full: fewer parcels than asked
    }

    private static (string Use, ConstructionType Construction, double BuiltRatio) Draw(Random rng, double distance)
    {
        var central = distance < 3000;
        var r = rng.NextDouble();
        var use = r switch
        {
            _ when r < (central ? 0.16 : 0.07) => "comercial",
            _ when r < (central ? 0.28 : 0.13) => "mixto",
            _ when r < (central ? 0.31 : 0.17) => "equipamiento",
            _ when r < (central ? 0.32 : 0.20) => "industrial",
            _ when r < (central ? 0.36 : 0.29) => "baldio",
            _ => "habitacional",
        };
        string code = use switch
        {
            "comercial" => "COM",
            "mixto" => "MIX",
            "equipamiento" => "EQU",
            "industrial" => "IND",
            "baldio" => "SIN",
            _ => rng.NextDouble() switch { < 0.55 => "HAB-POP", < 0.9 => "HAB-MED", _ => "HAB-RES" },
        };
        var construction = Constructions.First(c => c.Code == code);
        var ratio = use == "baldio" ? 0 : Math.Round(0.4 + rng.NextDouble() * 1.2, 2);
        return (use, construction, ratio);
    }

    private static readonly string[] GivenNames = ["María", "José", "Guadalupe", "Juan", "Ana", "Luis", "Rosa", "Carlos", "Elena", "Miguel", "Sofía", "Jorge", "Lucía", "Pedro", "Carmen", "Ricardo"];
    private static readonly string[] Surnames = ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez"];

    /// <summary>A synthetic owner: made-up name, CURP-shaped code, 229 phone and an example.mx e-mail.</summary>
    private static Owner SyntheticOwner(Random rng, int n)
    {
        var given = GivenNames[rng.Next(GivenNames.Length)];
        var s1 = Surnames[rng.Next(Surnames.Length)];
        var s2 = Surnames[rng.Next(Surnames.Length)];
        static char Plain(char c) => c switch { 'Á' => 'A', 'É' => 'E', 'Í' => 'I', 'Ó' => 'O', 'Ú' => 'U', 'á' => 'A', 'é' => 'E', 'í' => 'I', 'ó' => 'O', 'ú' => 'U', _ => char.ToUpperInvariant(c) };
        var born = new DateOnly(1950, 1, 1).AddDays(rng.Next(0, 365 * 55));
        var curp = $"{Plain(s1[0])}{Plain(s1[1])}{Plain(s2[0])}{Plain(given[0])}{born:yyMMdd}{(rng.Next(2) == 0 ? 'H' : 'M')}VZ{(char)('B' + rng.Next(20))}{(char)('B' + rng.Next(20))}{(char)('B' + rng.Next(20))}{rng.Next(10)}{rng.Next(10)}";
        return new Owner
        {
            FullName = $"{given} {s1} {s2}",
            Curp = curp,
            Phone = $"229 {rng.Next(100, 999)} {rng.Next(1000, 9999)}",
            Email = $"{new string(given.Select(Plain).ToArray()).ToLowerInvariant()}.{n}@ejemplo.mx",
        };
    }
}
