using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Jobs;

/// <summary>
/// Background jobs on Hangfire with PostgreSQL storage (schema "hangfire"). Features queue their own jobs and recurring
/// jobs; this only sets up the storage, the server and the dashboard.
/// Jobs:Enabled=false: no server (the tests); Jobs:Server=false: this web process only queues, a worker runs them.
/// </summary>
public static class JobsFeature
{
    public static bool Enabled(IConfiguration config) => config.GetValue("Jobs:Enabled", true);

    /// <summary>Whether this process runs the jobs (a Hangfire server); false in a web process that leaves them to a worker.</summary>
    public static bool RunsHere(IConfiguration config) => Enabled(config) && config.GetValue("Jobs:Server", true);

    public static IServiceCollection AddJobs(this IServiceCollection s, IConfiguration config)
    {
        s.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(PlatformDatabase.ConnectionString(config)),
                new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true }));
        if (RunsHere(config)) s.AddHangfireServer(o => o.WorkerCount = 2);
        // the dashboard's buttons (requeue, delete, trigger) post with an anti-forgery token when the service exists;
        // the staff cookie's cross-site guard accepts that token in place of our pages' header
        s.AddAntiforgery();
        return s;
    }

    public static WebApplication MapJobsDashboard(this WebApplication app)
    {
        app.UseHangfireDashboard("/jobs", new DashboardOptions { Authorization = [new StaffDashboardFilter()], AppPath = "/", DashboardTitle = "OpenVeracruz — trabajos / jobs" });
        return app;
    }
}

/// <summary>The Hangfire dashboard (/jobs) is for supervisors and admins signed in: 401 for anonymous callers, 403 for other staff.</summary>
public sealed class StaffDashboardFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && Roles.AtLeast(Roles.Supervisor).Any(user.IsInRole);
    }
}
