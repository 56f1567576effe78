using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace OpenVeracruz.Platform.Shared;

/// <summary>Reads numeric query arguments with clear bilingual errors instead of framework binding failures.</summary>
public static class QueryArgs
{
    public static double RequiredDouble(string? text, string name, double min, double max)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new BadRequestException($"Parameter '{name}' is required", $"Falta el parámetro '{name}'", name);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new BadRequestException($"Parameter '{name}' must be a number, got '{text}'", $"El parámetro '{name}' debe ser un número; se recibió '{text}'", name);
        if (v < min || v > max)
            throw new BadRequestException($"Parameter '{name}' must lie between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}",
                $"El parámetro '{name}' debe estar entre {min.ToString(CultureInfo.InvariantCulture)} y {max.ToString(CultureInfo.InvariantCulture)}", name);
        return v;
    }

    public static int OptionalInt(string? text, string name, int fallback, int min, int max, bool clamp = false)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            throw new BadRequestException($"Parameter '{name}' must be a whole number, got '{text}'", $"El parámetro '{name}' debe ser un número entero; se recibió '{text}'", name);
        if (v < min) throw new BadRequestException($"Parameter '{name}' must be at least {min}", $"El parámetro '{name}' debe ser al menos {min}", name);
        if (v > max)
        {
            if (clamp) return max;
            throw new BadRequestException($"Parameter '{name}' must be at most {max}", $"El parámetro '{name}' debe ser como máximo {max}", name);
        }
        return v;
    }

    /// <summary>
    /// The value of a query parameter. A parameter repeated with the same value counts once (clients such as GDAL re-add
    /// their own parameters to the links they follow); repeated with different values it is ambiguous and refused.
    /// </summary>
    public static string? Get(HttpRequest request, string name)
    {
        if (!request.Query.TryGetValue(name, out var v)) return null;
        if (v.Count > 1 && v.Distinct(StringComparer.Ordinal).Skip(1).Any())
            throw new BadRequestException($"Parameter '{name}' is given more than once with different values",
                $"El parámetro '{name}' aparece más de una vez con valores distintos", name);
        return v[0] ?? "";
    }
}
