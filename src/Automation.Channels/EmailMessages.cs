using System.Security.Cryptography;
using System.Text;
using Automation.Core.Messaging;
using MimeKit;

namespace Automation.Channels;

/// <summary>Builds the MIME message of an email, the same whether it goes to SMTP or to the file outbox.</summary>
public static class EmailMessages
{
    public static MimeMessage Build(OutgoingMessage message, string fromAddress, string? fromName)
    {
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(fromName ?? "", fromAddress));
        mime.To.Add(new MailboxAddress(message.RecipientName ?? "", message.Recipient));
        mime.Subject = message.Content.Subject ?? "";
        // Stable per outbox message: a resend after a crash carries the same Message-ID, so receivers can spot it. The
        // installation's id keeps another install's (or a reset database's) journey:instance:step from repeating it.
        var domain = fromAddress[(fromAddress.IndexOf('@') + 1)..];
        var key = $"{message.Installation}:{message.IdempotencyKey}";
        mime.MessageId = $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32]}@{domain}";
        // RFC 8058 one-click unsubscribe, which Gmail and Yahoo require of bulk senders.
        mime.Headers.Add("List-Unsubscribe", $"<{message.UnsubscribeUrl}>");
        mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        mime.Headers.Add("X-Automation-Message", message.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        mime.Body = new BodyBuilder { TextBody = message.Content.Text, HtmlBody = message.Content.Html }.ToMessageBody();
        return mime;
    }
}
