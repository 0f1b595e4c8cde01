using Automation.Channels;
using Automation.Core.Messaging;
using Automation.Core.Storage;
using Automation.Core.Tiers;
using Automation.Server.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Automation.Server.Hosting;

/// <summary>Messaging: templates, channels (each falling back to the file outbox), guardrails, the dispatcher and its loop.</summary>
internal static class MessagingServices
{
    public static void AddMessaging(this WebApplicationBuilder builder)
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
            return new UnsubscribeLinks(SigningKey.Load(options, environment.ContentRootPath), PublicUrl(sp));
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MessagingOptions>>().Value;
            var templates = sp.GetRequiredService<JourneyFiles>().Templates;
            return new OutboxDispatcher(sp.GetRequiredService<IOutboxStore>(), sp.GetRequiredService<LiquidTemplates>(),
                ChannelServiceCollectionExtensions.Resolve(sp), sp.GetRequiredService<UnsubscribeLinks>(), sp.GetRequiredService<Guardrails>(),
                new DispatchSettings(options.BatchSize, options.Concurrency, options.MaxAttempts, TimeSpan.FromSeconds(options.LeaseSeconds), templates.DefaultCurrency),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<OutboxDispatcher>>(), sp.GetRequiredService<TierCatalog>());
        });

        // Without a provider configured, a channel writes files under data/outbox, so a new user sees messages at once.
        var file = builder.Configuration.GetSection(FileOutboxOptions.Section).Get<FileOutboxOptions>() ?? new FileOutboxOptions();
        var email = builder.Configuration.GetSection(EmailOptions.Section).Get<EmailOptions>() ?? new EmailOptions();
        services.AddSingleton(sp => new FileOutboxChannel(Path.Combine(sp.GetRequiredService<IHostEnvironment>().ContentRootPath, file.Path), file.From));
        services.AddChannel("file", sp => sp.GetRequiredService<FileOutboxChannel>());
        var sms = builder.Configuration.GetSection(TwilioOptions.Section).Get<TwilioOptions>() ?? new TwilioOptions();
        // Twilio reports delivery only to a StatusCallback given with each message: by default the server's own route.
        services.AddSingleton(sp =>
        {
            if (string.IsNullOrWhiteSpace(sms.StatusCallbackUrl)) sms.StatusCallbackUrl = $"{PublicUrl(sp).TrimEnd('/')}{Apis.TwilioApi.StatusPath}";
            return sms;
        });
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

    /// <summary>Where customers and providers reach this server: <c>Messaging:PublicUrl</c>, else the first of <c>Urls</c>.</summary>
    private static string PublicUrl(IServiceProvider sp) =>
        sp.GetRequiredService<IOptions<MessagingOptions>>().Value.PublicUrl
        ?? ServerUrls.Parse(sp.GetRequiredService<IConfiguration>()["Urls"], out _).FirstOrDefault()?.ToString()
        ?? ServerUrls.Default;
}
