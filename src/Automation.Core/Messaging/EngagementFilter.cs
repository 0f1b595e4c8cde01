using System.Net;

namespace Automation.Core.Messaging;

/// <summary>
/// Tells opens and clicks by machines from those by readers. Apple Mail Privacy Protection loads every image through
/// Apple's proxies (addresses in 17.0.0.0/8, a bare <c>Mozilla/5.0</c> user agent) whether or not the mail is read;
/// link scanners of mail gateways follow links within seconds of delivery, often with HEAD. Such events are kept,
/// flagged <c>machine</c>, and left out of rates.
/// </summary>
public static class EngagementFilter
{
    /// <summary>Sooner than a person opens a mail after it was sent.</summary>
    public static readonly TimeSpan PrefetchWindow = TimeSpan.FromSeconds(10);

    /// <summary>Sooner than a person follows a link after the mail was sent.</summary>
    public static readonly TimeSpan ScannerWindow = TimeSpan.FromSeconds(5);

    private static readonly IPNetwork AppleProxies = IPNetwork.Parse("17.0.0.0/8");

    public static bool IsMachineOpen(string? userAgent, IPAddress? address, DateTimeOffset? sentAt, DateTimeOffset at) =>
        IsApple(userAgent, address) || string.IsNullOrWhiteSpace(userAgent) || (sentAt is { } sent && at - sent < PrefetchWindow);

    public static bool IsMachineClick(string method, string? userAgent, IPAddress? address, DateTimeOffset? sentAt, DateTimeOffset at) =>
        method == "HEAD" || string.IsNullOrWhiteSpace(userAgent) || (sentAt is { } sent && at - sent < ScannerWindow) || IsApple(userAgent, address);

    private static bool IsApple(string? userAgent, IPAddress? address) =>
        userAgent?.Trim() == "Mozilla/5.0" || (address is not null && AppleProxies.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address));
}
