namespace Automation.Core.Storage;

/// <summary>An email a tracking link belongs to: whose it is, where it was sent from, and when.</summary>
/// <param name="CustomerId">The shop's id of the customer, else the anonymous id: what an event about them is recorded under.</param>
public sealed record TrackedMessage(long Id, string CustomerId, bool Anonymous, string Journey, string Step, DateTimeOffset? SentAt);

/// <summary>One open (<see cref="Url"/> null) or click of an email.</summary>
/// <param name="Machine">Made by a proxy or scanner rather than a reader: kept, left out of rates.</param>
public sealed record Engagement(long MessageId, string Kind, string? Url, bool Machine, DateTimeOffset At)
{
    public const string Open = "open";
    public const string Click = "click";
}

/// <summary>Opens and clicks of a journey's (or a broadcast's, <c>broadcast:{id}</c>) emails.</summary>
/// <param name="Email">Emails sent, and the unique opens and clicks of those that carried tracking, with their rates.</param>
/// <param name="Opens">Every open by a reader, repeats included.</param>
/// <param name="Clicks">Every click by a reader, repeats included.</param>
/// <param name="MachineOpens">Opens by proxies (Apple Mail Privacy Protection) and prefetchers, not counted above.</param>
public sealed record EngagementRates(string Journey, Analytics.EmailEngagement Email, long Opens, long Clicks, long MachineOpens);

/// <summary>Email engagement: the messages tracking links point at, their opens and clicks, and the rates.</summary>
public interface IEngagementStore
{
    /// <summary>The email message <paramref name="messageId"/>, or null when there is none.</summary>
    Task<TrackedMessage?> TrackedMessageAsync(long messageId, CancellationToken cancellationToken);

    /// <summary>Stores an open or click. Every one is kept; rates count distinct messages, so repeats never count twice.</summary>
    Task RecordEngagementAsync(Engagement engagement, CancellationToken cancellationToken);

    /// <summary>Rates per journey over emails sent from <paramref name="sentFrom"/> until <paramref name="sentUntil"/>; one journey when named.</summary>
    Task<IReadOnlyList<EngagementRates>> EngagementRatesAsync(DateTimeOffset sentFrom, DateTimeOffset sentUntil, string? journey, CancellationToken cancellationToken);
}
