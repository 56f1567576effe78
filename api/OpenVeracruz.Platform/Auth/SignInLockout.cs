using Microsoft.EntityFrameworkCore;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Auth;

/// <summary>
/// The sign-in lockout, per account and client address: after <see cref="MaxAttempts"/> attempts without a success, that
/// pair is refused until it has been quiet for <see cref="LockFor"/>. The account itself never locks, so a stranger who
/// guesses from elsewhere neither keeps its owner out nor stops its API tokens. An attempt is counted before the password
/// is checked, in one atomic upsert: a burst of parallel guesses gets <see cref="MaxAttempts"/> checks, not more.
/// </summary>
public static class SignInLockout
{
    public const int MaxAttempts = 5;
    public static readonly TimeSpan LockFor = TimeSpan.FromMinutes(15);

    /// <summary>Counts an attempt of the pair; false when the pair is locked (the password must then not be checked).</summary>
    public static async Task<bool> TryAttemptAsync(AppDbContext db, string userId, string address, CancellationToken ct)
    {
        var quiet = LockFor.TotalSeconds;
        var attempts = await db.Database.SqlQuery<int>($"""
            INSERT INTO auth.sign_in_attempts AS a (user_id, address, attempts, last_attempt) VALUES ({userId}, {address}, 1, now())
            ON CONFLICT (user_id, address) DO UPDATE
              SET attempts = CASE WHEN a.last_attempt < now() - make_interval(secs => {quiet}) THEN 1 ELSE a.attempts + 1 END,
                  last_attempt = now()
            RETURNING attempts AS "Value"
            """).ToListAsync(ct);
        return attempts.Single() <= MaxAttempts;
    }

    /// <summary>A success clears the pair's count.</summary>
    public static Task SucceededAsync(AppDbContext db, string userId, string address, CancellationToken ct) =>
        db.SignInAttempts.Where(a => a.UserId == userId && a.Address == address).ExecuteDeleteAsync(ct);
}
