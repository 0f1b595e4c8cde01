using Automation.Core.Storage;
using Automation.Storage.Migrations;
using Automation.Storage.Postgres;
using Automation.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Automation.Storage;

/// <summary>Registers the storage chosen by the <c>Storage</c> section.</summary>
public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddAutomationStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<AutomationStorage>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return options.Provider == StorageOptions.Postgres
                ? new PostgresStorage(options.ConnectionString!)
                : new SqliteStorage(SqliteStorage.ResolveConnectionString(options.ConnectionString, sp.GetRequiredService<IHostEnvironment>().ContentRootPath));
        });
        services.AddSingleton<IIngestionStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<ICustomerStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IJourneyStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IJourneyQueries>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IRfmStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IAnalyticsStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IRejectedMessageStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IDrawQueries>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IBroadcastStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IProductQueries>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IRewardQueries>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<ICouponStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<ITeamQueries>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IProviderTokenStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IEngagementStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IKeyRingStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<ILoginAttemptStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IContentDraftStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IContentVersionStore>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IJourneyVersions>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<AutomationStorage>());
        services.AddSingleton<SchemaMigrator>();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }
}

/// <summary>Ready only while the database answers and takes writes.</summary>
internal sealed class DatabaseHealthCheck(AutomationStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!await storage.IsReachableAsync(cancellationToken)) return HealthCheckResult.Unhealthy("The database does not answer.");
        return await storage.WriteProblemAsync(cancellationToken) is { } problem
            ? HealthCheckResult.Unhealthy(problem)
            : HealthCheckResult.Healthy();
    }
}
