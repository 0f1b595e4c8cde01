namespace Automation.Server.Http;

/// <summary>Reads a request body up to a limit, after any gzip decompression, so an oversized body costs nothing.</summary>
internal static class RequestBody
{
    /// <summary>Segment's limit for one message.</summary>
    public const int MessageLimit = 32 * 1024;

    /// <summary>Segment's limit for a batch.</summary>
    public const int BatchLimit = 500 * 1024;

    /// <summary>
    /// The body, or a problem: 413 when it is larger than <paramref name="limit"/> bytes, 400 when its
    /// <c>Content-Encoding</c> does not match it (a body said to be gzip that is not).
    /// </summary>
    public static async Task<(byte[]? Body, IResult? Problem)> ReadAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) return (null, TooLargeProblem(limit));

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > limit) return (null, TooLargeProblem(limit));
                buffer.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException e)
        {
            return (null, ValidationProblem.For("body", $"cannot be decoded as its Content-Encoding '{request.Headers.ContentEncoding}' says: {e.Message}"));
        }
        return (buffer.ToArray(), null);
    }

    private static IResult TooLargeProblem(int limit) => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"The body must be at most {limit / 1024} KB; split it into smaller batches.");
}
