using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OpenVeracruz.Platform.Cadastre;

/// <summary>The cadastre: parcels (REST door), four-eyes edits, unit-value tables. Its layer is declared in datasets/predios-sinteticos.</summary>
public static class CadastreFeature
{
    public static IServiceCollection AddCadastre(this IServiceCollection s, IConfiguration config) =>
        s.Configure<EditingOptions>(config.GetSection("Cadastre:Editing"));

    public static IEndpointRouteBuilder MapCadastre(this IEndpointRouteBuilder app) =>
        app.MapParcelEndpoints().MapEditEndpoints().MapTariffEndpoints();
}
