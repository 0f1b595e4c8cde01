using Automation.Core.Messaging;

namespace Automation.Server.Hosting;

/// <summary>A channel under its name, as <see cref="ChannelServiceCollectionExtensions.AddChannel{T}"/> registers it.</summary>
public sealed record ChannelRegistration(string Name, Func<IServiceProvider, IChannel> Create);

/// <summary>One registration call per channel adapter.</summary>
public static class ChannelServiceCollectionExtensions
{
    /// <summary>Registers <typeparamref name="T"/> as the channel <paramref name="name"/>; a later registration of a name wins.</summary>
    public static IServiceCollection AddChannel<T>(this IServiceCollection services, string name) where T : class, IChannel
    {
        services.AddSingleton<T>();
        return services.AddSingleton(new ChannelRegistration(name, sp => sp.GetRequiredService<T>()));
    }

    /// <summary>Registers a channel built by a factory.</summary>
    public static IServiceCollection AddChannel(this IServiceCollection services, string name, Func<IServiceProvider, IChannel> create) =>
        services.AddSingleton(new ChannelRegistration(name, create));

    internal static IReadOnlyDictionary<string, IChannel> Resolve(IServiceProvider services)
    {
        var channels = new Dictionary<string, IChannel>(StringComparer.Ordinal);
        foreach (var registration in services.GetServices<ChannelRegistration>()) channels[registration.Name] = registration.Create(services);
        return channels;
    }
}
