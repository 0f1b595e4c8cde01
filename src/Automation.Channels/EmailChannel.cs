using System.Collections.Concurrent;
using System.Net.Sockets;
using Automation.Core.Messaging;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace Automation.Channels;

/// <summary>
/// Email over SMTP with MailKit. Connections are pooled and reused (MailKit pipelines on each); a 4xx answer or a
/// dropped connection is retried later, a 5xx refusal of the recipient fails the message and suppresses the address.
/// </summary>
/// <param name="tracking">Adds the open pixel and click redirects when <c>Channels:Email:Tracking</c> turns them on; none by default.</param>
public sealed class EmailChannel(IOptions<EmailOptions> options, EmailTracking? tracking = null) : IChannel, IDisposable
{
    private readonly EmailOptions _options = options.Value;
    private readonly ConcurrentBag<SmtpClient> _idle = [];
    private readonly SemaphoreSlim _slots = new(options.Value.PoolSize);

    public RecipientField Recipient => Recipients.EmailAddress;

    public async Task<SendOutcome> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var carried = CarriedTracking.None;
        if (tracking is not null && message.Content.Html is { } html)
        {
            (var tracked, carried) = tracking.Apply(message.Id, html);
            message = message with { Content = message.Content with { Html = tracked } };
        }
        var mime = EmailMessages.Build(message, _options.From, _options.FromName);
        await _slots.WaitAsync(cancellationToken);
        SmtpClient? client = null;
        try
        {
            var reused = _idle.TryTake(out client);
            client ??= new SmtpClient { Timeout = _options.TimeoutSeconds * 1000 };
            try
            {
                await EnsureConnectedAsync(client, cancellationToken);
                await client.SendAsync(mime, cancellationToken);
            }
            catch (Exception e) when (reused && IsConnectionLost(e))
            {
                // A pooled connection the server closed while idle: one fresh connection, then the dispatcher's retries.
                client.Dispose();
                client = new SmtpClient { Timeout = _options.TimeoutSeconds * 1000 };
                await EnsureConnectedAsync(client, cancellationToken);
                await client.SendAsync(mime, cancellationToken);
            }
            return new SendOutcome.Sent(mime.MessageId ?? message.IdempotencyKey, carried);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode is >= 400 and < 500)
        {
            return new SendOutcome.Retry($"SMTP {(int)e.StatusCode}: {e.Message}");
        }
        catch (SmtpCommandException e) when (e.ErrorCode == SmtpErrorCode.RecipientNotAccepted)
        {
            return new SendOutcome.Failed($"SMTP {(int)e.StatusCode}: recipient refused: {e.Message}", SuppressRecipient: true);
        }
        catch (SmtpCommandException e)
        {
            return new SendOutcome.Failed($"SMTP {(int)e.StatusCode}: {e.Message}");
        }
        catch (AuthenticationException e)
        {
            return new SendOutcome.Retry($"SMTP authentication failed (check Channels:Email:Username/Password): {e.Message}", TimeSpan.FromMinutes(5));
        }
        catch (Exception e) when (IsConnectionLost(e))
        {
            client?.Dispose();
            client = null;
            return new SendOutcome.Retry($"SMTP server unreachable: {e.Message}");
        }
        finally
        {
            if (client is { IsConnected: true }) _idle.Add(client);
            else client?.Dispose();
            _slots.Release();
        }
    }

    private async Task EnsureConnectedAsync(SmtpClient client, CancellationToken ct)
    {
        if (client.IsConnected) return;
        var security = Enum.Parse<SecureSocketOptions>(_options.Security, ignoreCase: true);
        await client.ConnectAsync(_options.Host ?? throw new InvalidOperationException("Channels:Email:Host is not set."), _options.Port, security, ct);
        if (!string.IsNullOrEmpty(_options.Username)) await client.AuthenticateAsync(_options.Username, _options.Password ?? "", ct);
    }

    private static bool IsConnectionLost(Exception e) =>
        e is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException or TimeoutException;

    public void Dispose()
    {
        while (_idle.TryTake(out var client))
        {
            try
            {
                if (client.IsConnected) client.Disconnect(quit: true);
            }
            catch (Exception e) when (IsConnectionLost(e) || e is SmtpCommandException)
            {
                // closing anyway
            }
            client.Dispose();
        }
        _slots.Dispose();
    }
}
