using Npgsql;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Ogc;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Tests.Ogc;

/// <summary>CQL2-text and CQL2-JSON read into one tree, and that tree as parameterised SQL over a layer's public columns.</summary>
public class Cql2ParserTests
{
    private static readonly LayerDefinition Parcels = LayerRegistry.Load(RepositoryFolders.Find(AppContext.BaseDirectory, "datasets")!).Find("parcels")!;
    private static readonly LayerDefinition Daily = LayerRegistry.Load(RepositoryFolders.Find(AppContext.BaseDirectory, "datasets")!).Find("wifi_connections_daily")!;

    /// <summary>The tree written back as CQL2-JSON-like prefix text, to compare shapes.</summary>
    private static string Show(Cql2Expr e) => e switch
    {
        Cql2Property p => p.Name,
        Cql2Literal { Kind: Cql2LiteralKind.Text } l => $"'{l.Value}'",
        Cql2Literal { Kind: Cql2LiteralKind.Unbounded } => "..",
        Cql2Literal { Value: DateOnly d } => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        Cql2Literal l => Convert.ToString(l.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "..",
        Cql2Geometry g => g.Value.GeometryType.ToUpperInvariant(),
        Cql2Interval iv => $"interval({Show(iv.Start)},{Show(iv.End)})",
        Cql2List list => "[" + string.Join(",", list.Items.Select(Show)) + "]",
        Cql2Op op => $"{op.Op}({string.Join(",", op.Args.Select(Show))})",
        _ => "?",
    };

    private static (string Sql, NpgsqlParameterCollection Parameters) Sql(string filter, LayerDefinition? layer = null, Crs? crs = null)
    {
        var cmd = new NpgsqlCommand();
        return (Cql2Sql.Condition(layer ?? Parcels, crs ?? Crs.Crs84, Cql2Text.Parse(filter), cmd), cmd.Parameters);
    }

    [Theory]
    [InlineData("zone = 3", "=(zone,3)")]
    [InlineData("zone <> 3 AND block >= 2", "and(<>(zone,3),>=(block,2))")]
    [InlineData("a = 1 OR b = 2 AND c = 3", "or(=(a,1),and(=(b,2),=(c,3)))")]
    [InlineData("(a = 1 OR b = 2) AND c = 3", "and(or(=(a,1),=(b,2)),=(c,3))")]
    [InlineData("NOT a = 1 AND b = 2", "and(not(=(a,1)),=(b,2))")]
    [InlineData("a + b * c > 10 - 2 / d", ">(+(a,*(b,c)),-(10,/(2,d)))")]
    [InlineData("2 ^ 3 ^ 2 = x", "=(^(2,^(3,2)),x)")]
    [InlineData("name LIKE 'Ver%' AND name NOT LIKE '_x'", "and(like(name,'Ver%'),not(like(name,'_x')))")]
    [InlineData("zone IN (1, 2, 3)", "in(zone,[1,2,3])")]
    [InlineData("zone NOT IN ('a')", "not(in(zone,['a']))")]
    [InlineData("v BETWEEN 1 AND 5 AND w = 1", "and(between(v,1,5),=(w,1))")]
    [InlineData("v IS NULL OR w IS NOT NULL", "or(isNull(v),not(isNull(w)))")]
    [InlineData("\"land use\" = 'it''s'", "=(land use,'it's')")]
    [InlineData("flag = TRUE", "=(flag,True)")]
    [InlineData("v = -1.5e2", "=(v,-150)")]
    [InlineData("day = DATE('2026-01-31')", "=(day,2026-01-31)")]
    [InlineData("T_DURING(day, INTERVAL('2026-01-01', '..'))", "t_during(day,interval(2026-01-01,..))")]
    [InlineData("S_INTERSECTS(geom, POINT(-96.1 19.2))", "s_intersects(geom,POINT)")]
    [InlineData("s_within(geom, POLYGON((0 0, 1 0, 1 1, 0 0)))", "s_within(geom,POLYGON)")]
    [InlineData("S_INTERSECTS(geom, MULTIPOINT((1 2), (3 4)))", "s_intersects(geom,MULTIPOINT)")]
    [InlineData("S_INTERSECTS(geom, BBOX(-96.2, 19.1, -96.1, 19.2))", "s_intersects(geom,POLYGON)")]
    [InlineData("S_DWITHIN(geom, POINT(1 2), 100)", "s_dwithin(geom,POINT,100)")]
    [InlineData("CASEI(name) = casei('Juárez')", "=(casei(name),casei('Juárez'))")]
    public void Text_reads_each_construct_with_its_precedence(string text, string tree) => Assert.Equal(tree, Show(Cql2Text.Parse(text)));

    [Fact]
    public void Json_reads_into_the_same_tree_as_text()
    {
        var json = """{"op":"and","args":[{"op":"=","args":[{"property":"zone"},3]},{"op":"in","args":[{"property":"land_use"},["comercial","mixto"]]},{"op":"s_intersects","args":[{"property":"geom"},{"type":"Point","coordinates":[-96.1,19.2]}]},{"op":"t_before","args":[{"property":"day"},{"date":"2026-01-01"}]}]}""";
        Assert.Equal("and(=(zone,3),in(land_use,['comercial','mixto']),s_intersects(geom,POINT),t_before(day,2026-01-01))", Show(Cql2Json.Parse(json)));
        Assert.Equal("between(v,1,{0})".Replace("{0}", "5"), Show(Cql2Json.Parse("""{"op":"between","args":[{"property":"v"},1,5]}""")));
    }

    [Theory]
    [InlineData("zone = ", 7, "a property, a value")]
    [InlineData("zone = 3 AND", 12, "a property, a value")]
    [InlineData("(zone = 3", 9, "')'")]
    [InlineData("zone = 'abc", 7, "never closed")]
    [InlineData("zone == 3", 6, "a property, a value")]
    [InlineData("zone = 3 zone", 9, "AND, OR or the end")]
    [InlineData("zone BETWEEN 1 OR 2", 15, "AND (BETWEEN")]
    [InlineData("FOO(zone)", 0, "unknown function FOO")]
    [InlineData("S_INTERSECTS(geom)", 0, "takes 2 arguments")]
    [InlineData("zone = 3 ; DROP TABLE x", 9, "unexpected character ';'")]
    [InlineData("S_WITHIN(geom, POLYGON((0 0, 1 0, 1 1)))", 15, "closed")]
    [InlineData("day = DATE('2026-02-30')", 11, "not a date")]
    [InlineData("v = 1e999", 4, "out of range")]
    public void Malformed_text_says_where_and_what_was_expected(string text, int at, string expected)
    {
        var e = Assert.Throws<Cql2Exception>(() => Cql2Text.Parse(text));
        Assert.Contains(expected, e.Message);
        Assert.Equal(at.ToString(), e.At);
        Assert.Contains($"character {at}", e.Message);
        Assert.Contains($"carácter {at}", e.MessageEs);
    }

    [Fact]
    public void Malformed_json_names_its_path()
    {
        Assert.Contains("$.args[1].op", Assert.Throws<Cql2Exception>(() => Cql2Json.Parse("""{"op":"and","args":[true,{"op":"nope","args":[]}]}""")).Message);
        Assert.Contains("line 1", Assert.Throws<Cql2Exception>(() => Cql2Json.Parse("""{"op":"=","args":[""")).Message);
        Assert.Contains("$.args[1]", Assert.Throws<Cql2Exception>(() => Cql2Json.Parse("""{"op":"in","args":[{"property":"a"},"b"]}""")).Message);
    }

    [Fact]
    public void Deep_nesting_and_huge_filters_are_refused_without_recursing()
    {
        var deep = new string('(', 10_000) + "zone = 1" + new string(')', 10_000);
        Assert.Contains("nested more than", Assert.Throws<Cql2Exception>(() => Cql2Text.Parse(deep)).Message);
        Assert.Contains("nested", Assert.Throws<Cql2Exception>(() => Cql2Text.Parse(string.Concat(Enumerable.Repeat("NOT ", 10_000)) + "zone = 1")).Message);
        Assert.Contains("nested", Assert.Throws<Cql2Exception>(() => Cql2Text.Parse(string.Concat(Enumerable.Repeat("2 ^ ", 10_000)) + "2 = zone")).Message);
        var deepJson = string.Concat(Enumerable.Repeat("""{"op":"not","args":[""", 10_000)) + "true" + new string(']', 10_000);
        Assert.Throws<Cql2Exception>(() => Cql2Json.Parse(deepJson));
        var huge = "zone = 1" + string.Concat(Enumerable.Repeat(" OR zone = 1", 90_000));
        Assert.Contains("longer than", Assert.Throws<Cql2Exception>(() => Cql2Text.Parse(huge)).Message);
        var many = "zone = 1" + string.Concat(Enumerable.Repeat(" OR zone = 1", 4_000));
        Assert.Contains("terms", Assert.Throws<Cql2Exception>(() => Cql2Text.Parse(many)).Message);
    }

    [Fact]
    public void Values_are_parameters_and_names_come_from_the_registry()
    {
        var (sql, ps) = Sql("clave = '1'' OR 1=1 --'");
        Assert.Equal("(t.\"clave\" = @c0)", sql);
        Assert.Equal("1' OR 1=1 --", Assert.Single(ps).Value);

        var e = Assert.Throws<Cql2Exception>(() => Sql("\"clave; drop table cadastre.parcels\" = 'x'"));
        Assert.Contains("'clave; drop table cadastre.parcels' is not a queryable of 'parcels'", e.Message);
        Assert.Contains("not a queryable", Assert.Throws<Cql2Exception>(() => Sql("owner_name = 'x'")).Message);

        (sql, ps) = Sql("land_use IN ('comercial', 'mixto') AND zone BETWEEN 1 AND 3 AND clave LIKE '001-%' AND built_area_m2 IS NULL");
        Assert.DoesNotContain("comercial", sql);
        Assert.DoesNotContain("001-", sql);
        Assert.Equal(5, ps.Count);
    }

    [Fact]
    public void Types_are_checked_before_any_sql_runs()
    {
        Assert.Contains("cannot compare text ('clave') with a number", Assert.Throws<Cql2Exception>(() => Sql("clave = 5")).Message);
        Assert.Contains("LIKE takes text here, not a number ('zone')", Assert.Throws<Cql2Exception>(() => Sql("zone LIKE '1%'")).Message);
        Assert.Contains("not a condition", Assert.Throws<Cql2Exception>(() => Sql("zone + 1")).Message);
        Assert.Contains("S_INTERSECTS takes a geometry here", Assert.Throws<Cql2Exception>(() => Sql("S_INTERSECTS(zone, POINT(1 2))")).Message);
        Assert.Contains("T_BEFORE takes dates", Assert.Throws<Cql2Exception>(() => Sql("T_BEFORE(zone, DATE('2026-01-01'))")).Message);
        // property against property, arithmetic, a string read as a date for a date property
        Assert.Contains("t.\"land_value\"", Sql("land_value + construction_value > cadastral_value * 0.5").Sql);
        var (sql, ps) = Sql("day >= '2026-01-01' AND T_DURING(day, INTERVAL('2026-01-01', '2026-02-01'))", Daily);
        Assert.Contains("t.\"day\"", sql);
        Assert.Equal(new DateOnly(2026, 1, 1), ps[0].Value);
        Assert.Contains("'not a date'", Assert.Throws<Cql2Exception>(() => Sql("day = 'not a date'", Daily)).Message);
    }

    [Fact]
    public void Geometry_literals_follow_the_filter_crs()
    {
        var (sql, ps) = Sql("S_INTERSECTS(geom, POINT(-96.1 19.2))");
        Assert.Equal("ST_Intersects(t.\"geom\", @c0)", sql);
        var p = (NetTopologySuite.Geometries.Point)ps[0].Value!;
        Assert.Equal((-96.1, 19.2, 4326), (p.X, p.Y, p.SRID));
        // EPSG:4326 is latitude first
        p = (NetTopologySuite.Geometries.Point)Sql("S_INTERSECTS(geom, POINT(19.2 -96.1))", crs: Crs.Epsg4326).Parameters[0].Value!;
        Assert.Equal((-96.1, 19.2), (p.X, p.Y));
        Assert.Contains("outside", Assert.Throws<Cql2Exception>(() => Sql("S_INTERSECTS(geom, POINT(-96.1 19.2))", crs: Crs.Epsg4326)).Message);
        Assert.StartsWith("ST_Intersects(t.\"geom\", ST_Transform(@c0, 4326))", Sql("S_INTERSECTS(geom, POINT(800000 2120000))", crs: Crs.Utm14N).Sql);
    }
}
