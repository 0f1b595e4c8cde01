using Automation.Core.Ingestion;

namespace Automation.Core.Storage;

/// <summary>The dead letters of ingestion: messages of a batch refused one by one, kept so the shop can fix and resend them.</summary>
public interface IRejectedMessageStore
{
    /// <summary>Keeps the refused messages of one request, in one transaction.</summary>
    Task KeepRejectedAsync(IReadOnlyList<RejectedMessage> messages, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>Refused messages, newest first, those with an id below <paramref name="before"/> when it is given.</summary>
    Task<IReadOnlyList<RejectedMessageView>> ListRejectedAsync(int limit, long? before, CancellationToken cancellationToken);
}

/// <summary>A kept refused message as the API lists it.</summary>
/// <param name="Message">The message as it came, as JSON text (characters a database cannot hold are escaped).</param>
public sealed record RejectedMessageView(long Id, DateTimeOffset ReceivedAt, int Index, string? MessageId, IReadOnlyList<FieldError> Errors, string Message);
