using Automation.Core.Ingestion;
using Automation.Server.Apis;
using Automation.Server.Configuration;
using Automation.Server.MarketerConsole;
using Automation.Server.Hosting;
using Automation.Server.Http;
using Automation.Server.Tools;
using Automation.Storage;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Automation.Server;

/// <summary>Builds the HTTP server: services, middleware and routes.</summary>
public static class AutomationServer
{
    private const string PollingFileWatcherVariable = "DOTNET_USE_POLLING_FILE_WATCHER";

    public static WebApplication Build(string[] args)
    {
        // The embedded database lives under the content root (data/automation.db) and ASP.NET watches appsettings.json
        // with a watcher on the whole content root, subfolders included: every write to the database woke it, about
        // a tenth of the server's CPU under ingestion. Polled, the settings still reload within seconds of a change.
        if (Environment.GetEnvironmentVariable(PollingFileWatcherVariable) is null) Environment.SetEnvironmentVariable(PollingFileWatcherVariable, "true");
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseUrls(builder.Configuration["Urls"] ?? ServerUrls.Default);
        ServerUrls.Parse(builder.Configuration["Urls"], out var urlsProblem);
        if (urlsProblem is not null) throw new OptionsValidationException("Urls", typeof(string), [urlsProblem]);

        AddServices(builder.Services);
        builder.AddJourneys();
        builder.AddMessaging();
        builder.AddTelemetry();
        var app = builder.Build();
        MapRoutes(app);
        return app;
    }

    /// <summary>
    /// Reads every options class now, so a bad setting fails with its own message before the host starts
    /// (the host would report it again, wrapped in its start-up log).
    /// </summary>
    public static void ValidateSettings(IServiceProvider services)
    {
        _ = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        _ = services.GetRequiredService<IOptions<ApiOptions>>().Value;
        _ = services.GetRequiredService<IOptions<IngestionOptions>>().Value;
        _ = services.GetRequiredService<IOptions<RulesOptions>>().Value;
        _ = services.GetRequiredService<IOptions<ContentOptions>>().Value;
        _ = services.GetRequiredService<IOptions<SchedulerOptions>>().Value;
        _ = services.GetRequiredService<IOptions<MessagingOptions>>().Value;
        _ = services.GetRequiredService<IOptions<GuardrailsOptions>>().Value;
        _ = services.GetRequiredService<IOptions<ConsoleOptions>>().Value;
        _ = services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        // Then every other section checked at start, each channel's among them, so a channel's own registration is all
        // it takes. Several bad ones come together; the first is reported, as above.
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (AggregateException e) when (e.InnerExceptions[0] is OptionsValidationException first)
        {
            throw first;
        }
    }

    private static void AddServices(IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddAutomationStorage();
        services.AddHostedService<SchemaMigrationService>();
        // Once the schema is there, and before authentication and antiforgery add Data Protection.
        services.AddSharedKeyRing();
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IngestionOptions>, IngestionOptionsValidator>();
        services.AddSingleton(sp => new SegmentMessageReader(sp.GetRequiredService<TimeProvider>(),
            TimeSpan.FromMinutes(sp.GetRequiredService<IOptions<IngestionOptions>>().Value.FutureToleranceMinutes),
            sp.GetRequiredService<IOptions<MessagingOptions>>().Value.DefaultRegion));
        services.AddSingleton<IngestionService>();
        services.AddSingleton<StepPreviewer>();

        // Read by hand, not bound: an entry is a plain key or a {Key, Scopes} object. Reloads with appsettings.json.
        services.AddOptions<ApiOptions>().Configure<IConfiguration>((options, configuration) => options.Keys = ApiOptions.Read(configuration.GetSection("Api:Keys")))
            .ValidateOnStart();
        services.AddSingleton<IOptionsChangeTokenSource<ApiOptions>>(sp => new ConfigurationChangeTokenSource<ApiOptions>(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(options =>
        {
            foreach (var scope in ApiScopes.All) options.AddPolicy(scope, policy => policy.RequireClaim(ApiScopes.ClaimType, scope));
        });
        services.AddConsole();

        // Behind a reverse proxy the client's address and scheme arrive in X-Forwarded-For and -Proto: trusted from
        // loopback (a proxy on this machine) and the proxies and networks configured, never from anyone else.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            var proxies = configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [];
            for (var i = 0; i < proxies.Length; i++)
                options.KnownProxies.Add(System.Net.IPAddress.TryParse(proxies[i], out var proxy) ? proxy
                    : throw new OptionsValidationException("ForwardedHeaders", typeof(ForwardedHeadersOptions),
                        [$"ForwardedHeaders:KnownProxies:{i} must be an IP address such as 10.0.0.5, not '{proxies[i]}'."]));
            var networks = configuration.GetSection("ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [];
            for (var i = 0; i < networks.Length; i++)
                options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(networks[i], out var network) ? network
                    : throw new OptionsValidationException("ForwardedHeaders", typeof(ForwardedHeadersOptions),
                        [$"ForwardedHeaders:KnownNetworks:{i} must be a network such as 10.0.0.0/8, not '{networks[i]}'."]));
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        services.AddRequestDecompression();
        services.AddAutomationOpenApi();
    }

    private static void MapRoutes(WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestDecompression();
        app.UseConsoleHeaders();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthApi();
        app.MapOpenApi(OpenApiDocument.Path);
        app.MapTelemetry();
        var v1 = ApiRoutes.For(app);
        v1.MapIngestApi();
        v1.MapCustomersApi();
        v1.MapJourneysApi();
        v1.MapMessagesApi();
        v1.MapTagsApi();
        v1.MapPointsApi();
        v1.MapTiersApi();
        v1.MapDrawsApi();
        v1.MapPresalesApi();
        v1.MapRewardsApi();
        v1.MapSegmentsApi();
        v1.MapBroadcastsApi();
        v1.MapAuditApi();
        v1.MapContentApi();
        v1.MapTeamsApi();
        v1.MapReferralsApi();
        v1.MapMetricsApi();
        v1.MapCouponsApi();
        v1.MapProductsApi();
        v1.MapEngagementApi(app);
        app.MapUnsubscribeApi();
        app.MapTeamLandingApi();
        app.MapTwilioApi();
        app.MapChineseSmsReceiptsApi();
        app.MapChineseSmsRepliesApi();
        app.MapConsole();
    }
}
