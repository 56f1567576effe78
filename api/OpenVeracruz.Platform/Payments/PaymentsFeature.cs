using Hangfire;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OpenVeracruz.Platform.Jobs;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Payments;

public sealed class PaymentsOptions
{
    /// <summary>Days a payment order's reference may be paid (never past the end of its month).</summary>
    public int OrderValidityDays { get; set; } = 10;
    /// <summary>The folder of the bank's daily files (empty: bank-inbox under the uploads folder).</summary>
    public string? BankInboxPath { get; set; }
    public GatewayOptions Gateway { get; set; } = new();
}

public sealed class GatewayOptions
{
    /// <summary>The simulated gateway's webhook signing secret. Set Payments__Gateway__WebhookSecret in production.</summary>
    public string WebhookSecret { get; set; } = "whsec_openveracruz_simulated_gateway_development_only";
    /// <summary>How old a webhook's signed timestamp may be, either way, in seconds.</summary>
    public int ToleranceSeconds { get; set; } = 300;
    /// <summary>Where the simulated gateway delivers its events.</summary>
    public string WebhookUrl { get; set; } = "http://127.0.0.1:5080/api/payments/online/webhook";
}

/// <summary>
/// Multipagos (issue 11, programme activities C3A3 and C1A2): predial and fees, payment orders with their línea de captura,
/// kiosks (layer payment_kiosks), a simulated online gateway with signed webhooks and the bank's daily file, all paying
/// through one ledger that never applies a reference twice. See docs/PAYMENTS.md.
/// </summary>
public static class PaymentsFeature
{
    public static IServiceCollection AddPayments(this IServiceCollection s, IConfiguration config)
    {
        s.Configure<PaymentsOptions>(config.GetSection("Payments"));
        s.AddHttpClient();
        s.AddScoped<GatewayWebhookJob>();
        s.AddScoped<ReconciliationJob>();
        s.AddScoped<OpenDataJob>();
        s.AddSingleton(sp => new BankInbox(RepositoryFolders.DataFolder(config, sp.GetRequiredService<IHostEnvironment>().ContentRootPath,
            config["Payments:BankInboxPath"], "bank-inbox")));
        s.AddScoped<BankInboxJob>();
        return s;
    }

    public static IEndpointRouteBuilder MapPayments(this IEndpointRouteBuilder app) =>
        app.MapPredialEndpoints().MapOrderEndpoints().MapKioskEndpoints().MapOnlineEndpoints().MapBankEndpoints().MapReceiptEndpoints()
            .MapReconciliationEndpoints().MapPaymentStaffEndpoints().MapPaymentsIndicator().MapPaymentPages();

    /// <summary>
    /// Before the bundled data is loaded (the catalog then finds the kiosks and their days in the layers): the concepts, the
    /// predial parameters, the kiosks, the open data, and the recurring jobs.
    /// </summary>
    public static async Task PreparePaymentsAsync(this IServiceProvider services, IConfiguration config, CancellationToken ct = default)
    {
        var db = services.GetRequiredService<NpgsqlDataSource>();
        await PaymentsSeed.EnsureAsync(db, ct);
        await new OpenDataJob(db).RunAsync();
        if (!JobsFeature.Enabled(config)) return;
        var jobs = services.GetRequiredService<IRecurringJobManager>();
        jobs.AddOrUpdate<GatewayWebhookJob>("payments-gateway-webhooks", j => j.RunAsync(), Cron.Minutely());
        jobs.AddOrUpdate<OpenDataJob>("payments-open-data", j => j.RunAsync(), "*/10 * * * *");
        jobs.AddOrUpdate<ReconciliationJob>("payments-reconciliation", j => j.RunYesterdayAsync(), "0 7 * * *"); // 01:00 in Veracruz
        jobs.AddOrUpdate<BankInboxJob>("payments-bank-inbox", j => j.RunAsync(), "*/15 * * * *");
    }

    /// <summary>After the cadastre is loaded: the fiscal years its parcels paid before this system.</summary>
    public static Task SettleHistoricPredialAsync(this IServiceProvider services, CancellationToken ct = default) =>
        PaymentsSeed.SettleHistoricYearsAsync(services.GetRequiredService<NpgsqlDataSource>(), ct);
}
