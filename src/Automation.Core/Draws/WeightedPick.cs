using System.Security.Cryptography;

namespace Automation.Core.Draws;

/// <summary>A source of uniform random whole numbers for the pick.</summary>
public interface IDrawRandom
{
    /// <summary>A whole number in [0, <paramref name="range"/>), each equally likely.</summary>
    int Below(int range);
}

/// <summary>The operating system's cryptographic generator: no customer can predict or replay a pick.</summary>
public sealed class CryptoDrawRandom : IDrawRandom
{
    public int Below(int range) => RandomNumberGenerator.GetInt32(range);
}

/// <summary>
/// Maps a random value to a prize: the prizes, in file order, each own a run of values as long as their weight, so a
/// value drawn uniformly from [0, <see cref="TotalWeight"/>) wins each prize with probability weight / total.
/// </summary>
public static class WeightedPick
{
    public static int TotalWeight(IReadOnlyList<DrawPrize> prizes) => prizes.Sum(p => p.Weight);

    /// <summary>The prize whose run holds <paramref name="value"/>, which must be in [0, TotalWeight).</summary>
    public static DrawPrize At(IReadOnlyList<DrawPrize> prizes, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        var end = 0;
        foreach (var prize in prizes)
        {
            end += prize.Weight;
            if (value < end) return prize;
        }
        throw new ArgumentOutOfRangeException(nameof(value), value, $"must be below the total weight {end}");
    }
}
