namespace Automation.Core.Teams;

/// <summary>
/// Divides a pool, in cents, into one share per member; the shares always add up to the pool exactly.
/// </summary>
public static class TeamSplit
{
    /// <summary>
    /// The shares in cents, in member order. <paramref name="below"/> returns a whole number in [0, n) for the random
    /// split (a cryptographic source in production, a fixed sequence in tests).
    /// </summary>
    public static IReadOnlyList<long> Shares(long poolCents, int members, SplitKind kind, long floorCents, Func<long, long> below)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(members, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(floorCents);
        if (floorCents * members > poolCents)
            throw new ArgumentException($"A floor of {floorCents} cents for {members} members exceeds the pool of {poolCents} cents.", nameof(floorCents));
        return kind == SplitKind.Equal ? Equal(poolCents, members) : Random(poolCents, members, floorCents, below);
    }

    private static long[] Equal(long poolCents, int members)
    {
        var each = poolCents / members;
        var leftOver = poolCents - each * members;
        return [.. Enumerable.Range(0, members).Select(i => each + (i < leftOver ? 1 : 0))];
    }

    // Everyone gets the floor; what is above the floor is cut at members − 1 points drawn uniformly over it, and each
    // member gets one of the pieces. The pieces cover the whole, so the sum is exact whatever the draws.
    private static long[] Random(long poolCents, int members, long floorCents, Func<long, long> below)
    {
        var spread = poolCents - floorCents * members;
        var cuts = new long[members + 1];
        cuts[members] = spread;
        for (var i = 1; i < members; i++)
        {
            var cut = below(spread + 1);
            if (cut < 0 || cut > spread) throw new InvalidOperationException($"The random source returned {cut}, outside [0, {spread}].");
            cuts[i] = cut;
        }
        Array.Sort(cuts, 1, members - 1);
        return [.. Enumerable.Range(0, members).Select(i => floorCents + cuts[i + 1] - cuts[i])];
    }
}
