using System.Text.Json;
using Automation.Core.Messaging;

namespace Automation.Channels;

/// <summary>The <c>Channels:File</c> section.</summary>
public sealed class FileOutboxOptions
{
    public const string Section = "Channels:File";

    /// <summary>Folder for the files, relative to the content root.</summary>
    public string Path { get; set; } = "data/outbox";

    /// <summary>Sender of the .eml files.</summary>
    public string From { get; set; } = "automation@localhost";
}

/// <summary>
/// Writes each message as a file — <c>.eml</c> for email, <c>.json</c> otherwise — under
/// <c>data/outbox/&lt;channel&gt;/</c>. The default for every channel that has no provider configured, so a new user
/// sees what journeys send at once.
/// </summary>
public sealed class FileOutboxChannel(string folder, string from) : IChannel
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public async Task<SendOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(folder, message.Channel);
        Directory.CreateDirectory(directory);
        var name = $"{message.Id:D8}-{string.Concat(message.IdempotencyKey.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_'))}";
        string file;
        if (message.Content.Html is not null)
        {
            file = Path.Combine(directory, name + ".eml");
            await EmailMessages.Build(message, from, null).WriteToAsync(file, cancellationToken);
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
