using System.Text.Json;
using Automation.Core.Messaging;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>
/// Writes each message as a file — <c>.eml</c> for email, <c>.json</c> otherwise — under
/// <c>data/outbox/&lt;channel&gt;/</c>. The default for every channel that has no provider configured, so a new user
/// sees what journeys send at once; standing in for a channel, it finds the recipient where that channel would.
/// </summary>
public sealed class FileOutboxChannel(IOptions<FileOutboxOptions> options, RecipientField recipient) : IChannel
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public RecipientField Recipient => recipient;

    public async Task<SendOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(options.Value.Path, message.Channel);
        Directory.CreateDirectory(directory);
        var name = $"{message.Id:D8}-{string.Concat(message.IdempotencyKey.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'))}";
        string file;
        if (message.Content.Html is not null)
        {
            file = Path.Combine(directory, name + ".eml");
            await EmailMessages.Build(message, options.Value.From, null).WriteToAsync(file, cancellationToken);
        }
        else
        {
            file = Path.Combine(directory, name + ".json");
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
            {
                to = message.Recipient, body = message.Content.Text, template = message.Content.TemplateFile, customer = message.CustomerId,
                idempotencyKey = message.IdempotencyKey, unsubscribeUrl = message.UnsubscribeUrl,
            }, Indented), cancellationToken);
        }
        return new SendOutcome.Sent(file);
    }
}
