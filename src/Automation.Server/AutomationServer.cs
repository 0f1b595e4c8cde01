using Automation.Core.Ingestion;
using Automation.Core.Journeys;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Channels;
using Automation.Server.Hosting;
using Automation.Server.Jobs;
using Automation.Storage.Sqlite;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Quartz;
using Automation.Server.Apis;
using Automation.Server.Configuration;
using Automation.Server.Http;
using Automation.Storage;
using Microsoft.Extensions.Options;

namespace Automation.Server;

/// <summary>Builds the HTTP server: services, middleware and routes.</summary>
public static class AutomationServer
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseUrls(builder.Configuration["Urls"] ?? ServerUrls.Default);
        ServerUrls.Parse(builder.Configuration["Urls"], out var urlsProblem);
        if (urlsProblem is not null) throw new OptionsValidationException("Urls", typeof(string), [urlsProblem]);

        AddServices(builder.Services);
        AddJourneys(builder);
        AddMessaging(builder);
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
        _ = services.GetRequiredService<IOptions<RulesOptions>>().Value;
        _ = services.GetRequiredService<IOptions<SchedulerOptions>>().Value;
        _ = services.GetRequiredService<IOptions<MessagingOptions>>().Value;
        _ = services.GetRequiredService<IOptions<GuardrailsOptions>>().Value;
    }

    private static void AddServices(IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddAutomationStorage();
        services.AddHostedService<SchemaMigrationService>();
        services.AddSingleton<SegmentMessageReader>();
        services.AddSingleton<IngestionService>();

        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();

        services.AddProblemDetails();
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        services.AddRequestDecompression();
    }

    private static void AddJourneys(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RulesOptions>().BindConfiguration(RulesOptions.Section).ValidateOnStart();
        services.AddOptions<TemplatesOptions>().BindConfiguration(TemplatesOptions.Section);
        services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RulesOptions>, JourneySettingsValidator>();
        services.AddSingleton<IValidateOptions<SchedulerOptions>, JourneySettingsValidator>();

        services.AddSingleton<ICronSchedule, QuartzCronSchedule>();
        services.AddSingleton(sp => JourneyFiles.From(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IHostEnvironment>().ContentRootPath, sp.GetRequiredService<ICronSchedule>()));
        services.AddSingleton<JourneyCatalog>();
        services.AddSingleton<JourneyEngine>();
        services.AddSingleton<JourneyScheduler>();
        services.AddHostedService<JourneyReloader>();

        var scheduler = builder.Configuration.GetSection(SchedulerOptions.Section).Get<SchedulerOptions>() ?? new SchedulerOptions();
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        // With bad settings start-up stops at validation; Quartz is not worth configuring then.
        if (!scheduler.Enabled || scheduler.TickSeconds < 1 || (storage.Provider == StorageOptions.Postgres && string.IsNullOrWhiteSpace(storage.ConnectionString)))
            return;

        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(options =>
            {
                options.InstanceName = "automation";
                options.GenerateInstanceId = true;
            });
            quartz.UsePersistentStore(store =>
            {
                store.UseSystemTextJsonSerializer(_ => { });
                if (storage.Provider == StorageOptions.Postgres)
                {
                    store.UsePostgres(storage.ConnectionString!);
                    store.UseClustering();
                }
                else
                {
                    store.UseSqlite(SqliteStorage.ResolveConnectionString(storage.ConnectionString, builder.Environment.ContentRootPath));
                }
                store.ProvisionSchema();
            });
            quartz.AddJob<JourneyTickJob>(job => job.WithIdentity(JourneyTickJob.Key).StoreDurably());
            // Missed ticks are not replayed: each tick catches up on its own (schedules run their latest occurrence once).
            quartz.AddTrigger<JourneyTickJob>(trigger => trigger.ForJob(JourneyTickJob.Key).WithIdentity("journey-tick", "automation").StartNow()
                .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromSeconds(scheduler.TickSeconds)).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)));
        });
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
    }

    private static void AddMessaging(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section).ValidateOnStart();
        services.AddOptions<GuardrailsOptions>().BindConfiguration(GuardrailsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GuardrailsOptions>, GuardrailsOptionsValidator>();
        services.AddSingleton(sp => new Guardrails(sp.GetRequiredService<IOutboxStore>(), sp.GetRequiredService<IOptions<GuardrailsOptions>>().Value.ToSettings()));
        services.AddSingleton<IValidateOptions<MessagingOptions>, MessagingOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<JourneyFiles>().CreateTemplates());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MessagingOptions>>().Value;
            var environment = sp.GetRequiredService<IHostEnvironment>();
            var publicUrl = options.PublicUrl ?? ServerUrls.Parse(sp.GetRequiredService<IConfiguration>()["Urls"], out _).FirstOrDefault()?.ToString() ?? ServerUrls.Default;
            return new UnsubscribeLinks(SigningKey.Load(options, environment.ContentRootPath), publicUrl);
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MessagingOptions>>().Value;
            var templates = sp.GetRequiredService<JourneyFiles>().Templates;
            return new OutboxDispatcher(sp.GetRequiredService<IOutboxStore>(), sp.GetRequiredService<LiquidTemplates>(),
                ChannelServiceCollectionExtensions.Resolve(sp), sp.GetRequiredService<UnsubscribeLinks>(), sp.GetRequiredService<Guardrails>(),
                new DispatchSettings(options.BatchSize, options.Concurrency, options.MaxAttempts, null, templates.DefaultCurrency),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OutboxDispatcher>>());
        });

        // Without a provider configured, a channel writes files under data/outbox, so a new user sees messages at once.
        var file = builder.Configuration.GetSection(FileOutboxOptions.Section).Get<FileOutboxOptions>() ?? new FileOutboxOptions();
        var email = builder.Configuration.GetSection(EmailOptions.Section).Get<EmailOptions>() ?? new EmailOptions();
        services.AddSingleton(sp => new FileOutboxChannel(Path.Combine(sp.GetRequiredService<IHostEnvironment>().ContentRootPath, file.Path), file.From));
        services.AddChannel("file", sp => sp.GetRequiredService<FileOutboxChannel>());
        var sms = builder.Configuration.GetSection(TwilioOptions.Section).Get<TwilioOptions>() ?? new TwilioOptions();
        services.AddSingleton(sms);
        if (string.IsNullOrWhiteSpace(sms.AccountSid)) services.AddChannel("sms", sp => sp.GetRequiredService<FileOutboxChannel>());
        else
        {
            // Retries here only what Twilio never processed (429, no connection); anything else is the outbox's to retry.
            services.AddHttpClient<TwilioSmsChannel>().AddResilienceHandler("twilio", pipeline => pipeline
                .AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 2,
                    UseJitter = true,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException
                        || args.Outcome.Result?.StatusCode == System.Net.HttpStatusCode.TooManyRequests),
                })
                .AddTimeout(TimeSpan.FromSeconds(15)));
            services.AddChannel("sms", sp => sp.GetRequiredService<TwilioSmsChannel>());
        }
        var webhook = builder.Configuration.GetSection(WebhookOptions.Section).Get<WebhookOptions>() ?? new WebhookOptions();
        if (string.IsNullOrWhiteSpace(webhook.Url)) services.AddChannel("webhook", sp => sp.GetRequiredService<FileOutboxChannel>());
        else
        {
            services.AddSingleton(webhook).AddHttpClient<WebhookChannel>();
            services.AddChannel("webhook", sp => sp.GetRequiredService<WebhookChannel>());
        }
        if (string.IsNullOrWhiteSpace(email.Host)) services.AddChannel("email", sp => sp.GetRequiredService<FileOutboxChannel>());
        else services.AddSingleton(email).AddChannel<EmailChannel>("email");

        if ((builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions()).Dispatch)
            services.AddHostedService<DispatchLoop>();
    }

    private static void MapRoutes(WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestDecompression();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthApi();
        var v1 = app.MapGroup("/v1").RequireAuthorization();
        v1.MapIngestApi();
        v1.MapCustomersApi();
        v1.MapJourneysApi();
        v1.MapMessagesApi();
        app.MapUnsubscribeApi();
        app.MapTwilioApi();
    }
}
