using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

/// <summary>
/// The payment kiosk's page, /kiosko/pagos/{kiosk}: one static file for every kiosk code. The page reads the code from its
/// own address and the kiosk's key from the device's storage (entered once by staff, never in the address); the API
/// answers for an unknown kiosk or key.
/// </summary>
public static class PaymentPages
{
    // a kiosk code has no dot, so the page's own files (main.js, kiosko.css) are never taken for a kiosk
    private const string KioskCode = @"{kiosk:regex(^\w[\w-]*$)}";

    public static IEndpointRouteBuilder MapPaymentPages(this IEndpointRouteBuilder app)
    {
        if (RepositoryFolders.Web(app.ServiceProvider.GetRequiredService<IWebHostEnvironment>()) is not { } web) return app;
        var path = Path.Combine(web, "kiosko", "pagos", "index.html");
        app.MapGet("/kiosko/pagos/" + KioskCode, () => TypedResults.PhysicalFile(path, "text/html; charset=utf-8")).ExcludeFromDescription();
        return app;
    }
}
