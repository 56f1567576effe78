using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace OpenVeracruz.Platform.Shared;

/// <summary>GeoJSON (de)serialisation of NetTopologySuite geometries with System.Text.Json.</summary>
public static class GeoJson
{
    public static readonly GeometryFactory Factory = new(new PrecisionModel(), Crs.StorageSrid);

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        o.Converters.Add(new GeoJsonConverterFactory(Factory));
        return o;
    }

    public static Geometry? Read(string json) => JsonSerializer.Deserialize<Geometry>(json, Options);

    public static string Write(Geometry geometry) => JsonSerializer.Serialize(geometry, Options);
}
