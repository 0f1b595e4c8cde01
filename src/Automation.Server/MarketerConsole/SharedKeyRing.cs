using Automation.Core.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;

namespace Automation.Server.MarketerConsole;

/// <summary>
/// One Data Protection key ring for every node, in the database: a console cookie or antiforgery token one node issued
/// is read by any other, and by this one after a restart, with no sticky sessions.
/// </summary>
internal static class SharedKeyRing
{
    /// <summary>The application every node protects for: the default (the content root's path) differs between machines.</summary>
    public const string ApplicationName = "Automation";

    /// <summary>
    /// Registers the ring. Call before anything else adds Data Protection (authentication, antiforgery): the start-up
    /// step here must run before Data Protection's own, which would otherwise create a first key on each node at once.
    /// </summary>
    public static IServiceCollection AddSharedKeyRing(this IServiceCollection services)
    {
        services.AddHostedService<KeyRingStartup>();
        services.AddSingleton<DatabaseXmlRepository>();
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>().Configure<DatabaseXmlRepository>((options, repository) =>
        {
            options.XmlRepository = repository;
            // Not the default's machine-bound encryption (DPAPI on Windows): no other node could read the keys.
            options.XmlEncryptor = null;
        });
        return services;
    }

    /// <summary>
    /// Loads the key ring under the database's start-up lock, creating the first key if there is none. Nodes starting
    /// together take turns, so the first creates the key and the others read it: without the lock each would create
    /// one, and a node that read the ring before another's key was stored would refuse that node's cookies until its
    /// next daily refresh of the ring.
    /// </summary>
    private sealed class KeyRingStartup(IKeyRingStore store, IKeyRingProvider keyRing) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) =>
            store.WithStartupLockAsync(() => Task.FromResult(keyRing.GetCurrentKeyRing().DefaultKeyId), cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
