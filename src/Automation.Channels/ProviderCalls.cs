using Automation.Core.Messaging;

namespace Automation.Channels;

/// <summary>How the SMS providers' adapters make their one HTTP call per message.</summary>
internal static class ProviderCalls
{
    /// <summary>
    /// Sends <paramref name="request"/>: a connection lost before an answer is a retry; an answer is read whole and its
    /// meaning left to <paramref name="decide"/>.
    /// </summary>
    public static async Task<SendOutcome> SendAsync(HttpClient http, HttpRequestMessage request, string provider,
        Func<HttpResponseMessage, string, SendOutcome> decide, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            return new SendOutcome.Retry($"{provider} unreachable: {e.Message}");
        }
        using (response) return decide(response, await response.Content.ReadAsStringAsync(cancellationToken));
    }
}
