using Automation.Core.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>
/// Registers channels, each a keyed <see cref="IChannel"/> under the name journeys send on, with its options section
/// bound and checked at start. A channel whose provider is not configured is the file outbox, so a new user sees
/// what journeys send at once. Each channel's own registration sits beside its options.
/// </summary>
public static partial class ChannelServiceCollectionExtensions
{
    /// <summary>The shipped channels: <c>file</c>, <c>email</c>, <c>sms</c>, <c>webhook</c> and <c>wechat</c>.</summary>
    public static IServiceCollection AddShippedChannels(this IServiceCollection services, IConfiguration configuration) =>
        services.AddFileOutboxChannel().AddEmailChannel(configuration).AddSmsChannel(configuration).AddWebhookChannel(configuration)
            .AddWeChatChannel(configuration);

    /// <summary>The channels under these names, as the dispatcher takes them; a name with no channel registered fails here.</summary>
    public static IReadOnlyDictionary<string, IChannel> GetChannels(this IServiceProvider services, IEnumerable<string> names) =>
        names.ToDictionary(name => name, name => services.GetRequiredKeyedService<IChannel>(name), StringComparer.Ordinal);

    /// <summary>Registers <typeparamref name="T"/> as the channel <paramref name="name"/>; a later registration of a name wins.</summary>
    public static IServiceCollection AddChannel<T>(this IServiceCollection services, string name) where T : class, IChannel =>
        services.AddKeyedSingleton<IChannel, T>(name);

    /// <summary>
    /// Registers <typeparamref name="T"/>, which takes an <see cref="HttpClient"/>, as the channel <paramref name="name"/>;
    /// returns its client's builder, for resilience handlers.
    /// </summary>
    public static IHttpClientBuilder AddHttpChannel<T>(this IServiceCollection services, string name) where T : class, IChannel
    {
        services.AddKeyedSingleton<IChannel>(name, (provider, _) => provider.GetRequiredService<T>());
        return services.AddHttpClient<T>();
    }

    /// <summary>The file outbox standing in for the channel <paramref name="name"/>: its messages become files under data/outbox/name/.</summary>
    public static IServiceCollection AddFileOutboxFor(this IServiceCollection services, string name, RecipientField recipient) =>
        services.AddKeyedSingleton<IChannel>(name, (provider, _) => new FileOutboxChannel(provider.GetRequiredService<IOptions<FileOutboxOptions>>(), recipient));

    /// <summary>
    /// Binds <paramref name="section"/> to <typeparamref name="TOptions"/>, checked by <typeparamref name="TValidator"/>
    /// when the server starts: a bad value stops it with one line naming the key.
    /// </summary>
    public static IServiceCollection AddChannelOptions<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>()
            .Configure<IConfiguration>((_, configuration) => ChannelSettings.CheckConvertible<TOptions>(configuration.GetSection(section)))
            .BindConfiguration(section)
            .ValidateOnStart();
        return services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
    }
}
