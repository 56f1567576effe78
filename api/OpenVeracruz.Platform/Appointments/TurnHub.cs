using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>
/// Live updates of the waiting-room screens. Every change to a turn sends <c>pg_notify('appointments_turns', office)</c>
/// in its own transaction (so it is heard only once committed, by every web process); one connection here LISTENs and
/// wakes the screens of that office (on ConnectionStrings:OpenVeracruzListen when it is set, see <see cref="PgListener"/>). The screens then read the state again: a lost wake-up costs nothing.
/// </summary>
public sealed class TurnHub([FromKeyedServices(PlatformDatabase.Listen)] NpgsqlDataSource listen, ILogger<TurnHub> log)
    : PgListener(listen, Channel, log)
{
    public const string Channel = "appointments_turns";
    private readonly ConcurrentDictionary<int, ConcurrentDictionary<Guid, SemaphoreSlim>> _screens = new();

    /// <summary>A screen of <paramref name="officeId"/> waiting for changes; dispose to leave.</summary>
    public Subscription Subscribe(int officeId)
    {
        var id = Guid.NewGuid();
        var signal = new SemaphoreSlim(0);
        _screens.GetOrAdd(officeId, _ => new())[id] = signal;
        return new Subscription(signal, () => { if (_screens.TryGetValue(officeId, out var s)) s.TryRemove(id, out _); });
    }

    public sealed class Subscription(SemaphoreSlim signal, Action leave) : IDisposable
    {
        /// <summary>True when the office changed, false when <paramref name="timeout"/> passed first.</summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
        {
            var changed = await signal.WaitAsync(timeout, ct);
            while (signal.CurrentCount > 0) await signal.WaitAsync(ct); // several changes, one read
            return changed;
        }

        public void Dispose()
        {
            leave();
            signal.Dispose();
        }
    }

    private void Wake(int officeId)
    {
        if (!_screens.TryGetValue(officeId, out var screens)) return;
        foreach (var s in screens.Values)
            try { if (s.CurrentCount == 0) s.Release(); } catch (ObjectDisposedException) { }
    }

    protected override void Heard(string payload)
    {
        if (int.TryParse(payload, out var office)) Wake(office);
    }

    /// <summary>Wakes everyone once: changes made while the connection was down are read now.</summary>
    protected override void Connected()
    {
        foreach (var office in _screens.Keys) Wake(office);
    }
}
