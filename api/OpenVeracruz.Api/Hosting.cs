using OpenVeracruz.Etl;
using OpenVeracruz.Platform.Appointments;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Cadastre;
using OpenVeracruz.Platform.Catalog;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Downloads;
using OpenVeracruz.Platform.Hosting;
using OpenVeracruz.Platform.Jobs;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Maintenance;
using OpenVeracruz.Platform.OData;
using OpenVeracruz.Platform.Ogc;
using OpenVeracruz.Platform.Tiles;
using OpenVeracruz.Platform.Payments;
using OpenVeracruz.Platform.Wifi;

namespace OpenVeracruz.Api;

/// <summary>
/// The host is the list of the platform's features. Each feature folder registers its services (AddX), prepares what it
/// needs on start, and maps its endpoints (MapX); see docs/ARCHITECTURE.md for how to add one.
/// </summary>
public static class Hosting
{
    public static void AddOpenVeracruz(this WebApplicationBuilder builder)
    {
        var (s, config) = (builder.Services, builder.Configuration);
        s.AddPlatformData(config);
        s.AddPlatformHosting();
        s.AddJobs(config);
        s.AddStaffAccounts(config);
        s.AddLayers(config);
        s.AddCadastre(config);
        s.AddCatalog(config);
        s.AddOgc(config);
        s.AddTiles(config);
        s.AddODataDoor(config);
        s.AddDataLoading(config);
        s.AddAppointments(config);
        s.AddMaintenance(config);
        s.AddWifi(config);
        s.AddPayments(config);
    }

    /// <summary>Migrations, the first administrator and the bundled data, before the first request is served.</summary>
    public static async Task PrepareAsync(this WebApplication app)
    {
        await app.Services.MigrateDatabaseAsync();
        await app.Services.EnsureStaffSetupAsync(app.Configuration, app.Logger);
        await app.Services.PrepareAppointmentsAsync(app.Configuration);
        await app.Services.PrepareMaintenanceAsync(app.Configuration);
        await app.Services.PrepareWifiAsync(app.Configuration);
        await app.Services.PreparePaymentsAsync(app.Configuration);
        await app.Services.LoadDataAsync(app.Configuration, app.Logger);
        await app.Services.SettleHistoricPredialAsync(); // after the load: it reads the cadastre
    }

    public static void UseOpenVeracruz(this WebApplication app)
    {
        app.UsePlatformHosting();
        app.UseStaffAccounts();
        app.MapSwaggerDocs();
        app.MapLayers();
        app.MapCadastre();
        app.MapOgc();
        app.MapTiles();
        app.MapDownloads();
        app.MapCatalog();
        app.MapStaffAccounts();
        app.MapJobsDashboard();
        app.MapOData();
        app.MapAppointments();
        app.MapMaintenance();
        app.MapWifi();
        app.MapPayments();
        app.AnnounceAddresses();
    }
}
