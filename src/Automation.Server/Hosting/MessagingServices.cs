using Automation.Channels;
using Automation.Core.Messaging;
using Automation.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Automation.Server.Hosting;

/// <summary>Messaging: templates, channels (each falling back to the file outbox), guardrails, the dispatcher and its loop.</summary>
internal static class MessagingServices
{
    public static void AddMessaging(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MessagingOptions>, MessagingOptionsValidator>();
        services.AddOptions<GuardrailsOptions>().BindConfiguration(GuardrailsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GuardrailsOptions>, GuardrailsOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<GuardrailsOptions>>().Value.ToSettings());
        services.AddSingleton<Guardrails>();
        services.AddSingleton(sp => sp.GetRequiredService<JourneyFiles>().CreateTemplates());
        services.AddSingleton(sp => new ServerSigningKey(
            SigningKey.Load(sp.GetRequiredService<IOptions<MessagingOptions>>().Value, sp.GetRequiredService<IHostEnvironment>().ContentRootPath)));
        services.AddSingleton(sp => new UnsubscribeLinks(sp.GetRequiredService<ServerSigningKey>().Bytes, PublicUrl(sp)));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.Tracking is { } tracking
            ? new EmailTracking(sp.GetRequiredService<ServerSigningKey>().Bytes, PublicUrl(sp), tracking.Opens, tracking.Clicks)
            : EmailTracking.Off);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MessagingOptions>>().Value
            .ToDispatchSettings(sp.GetRequiredService<JourneyFiles>().Templates.DefaultCurrency) with { Points = sp.GetRequiredService<Automation.Core.Points.PointsSettings>() });
        // Every channel a journey may name, so a name without one fails at start rather than at its first message.
        services.AddSingleton(sp => sp.GetChannels(sp.GetRequiredService<JourneyFiles>().ReadOptions.Channels));
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<Automation.Core.Messaging.Replies.InboundReplies>();
        Http.SmsCallbackOptions.Register(services);
        services.AddHostedService<DispatchLoop>();

        services.AddShippedChannels(builder.Configuration);
        // What a channel cannot know by itself: the content root its files go under, and the address Twilio reaches
        // this server at, for the StatusCallback it sends with each message (Twilio reports delivery nowhere else).
        services.AddOptions<FileOutboxOptions>().PostConfigure<IHostEnvironment>((file, environment) =>
            file.Path = Path.Combine(environment.ContentRootPath, file.Path));
        services.AddOptions<TwilioOptions>().PostConfigure<IOptions<MessagingOptions>, IConfiguration>((sms, messaging, configuration) =>
        {
            if (string.IsNullOrWhiteSpace(sms.StatusCallbackUrl))
                sms.StatusCallbackUrl = $"{PublicUrl(messaging.Value, configuration).TrimEnd('/')}{Apis.TwilioApi.StatusPath}";
        });
    }

    /// <summary>Where customers reach this server, for the links messages carry.</summary>
    public static string PublicUrl(IServiceProvider services) =>
        PublicUrl(services.GetRequiredService<IOptions<MessagingOptions>>().Value, services.GetRequiredService<IConfiguration>());

    /// <summary>Where customers and providers reach this server: <c>Messaging:PublicUrl</c>, else the first of <c>Urls</c>.</summary>
    private static string PublicUrl(MessagingOptions options, IConfiguration configuration) =>
        options.PublicUrl ?? (ServerUrls.Parse(configuration["Urls"], out _) is [var first, ..] ? first.ToString() : null) ?? ServerUrls.Default;
}
