using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using OpenVeracruz.Tests.Appointments;

namespace OpenVeracruz.Tests.Web;

public partial class CeroFilasBrowserTests
{
    /// <summary>A visit served at the desk, through the API as the turn tests do: its survey key.</summary>
    private async Task<string> ServedVisitSurveyKeyAsync()
    {
        var svc = await CitasKit.NewServiceAsync(f, desks: 1);
        var staff = await StaffKit.AssignedAsync(f, svc.OfficeCode);
        async Task<JsonElement> Ok(string url, object body, HttpStatusCode expected = HttpStatusCode.OK)
        {
            var (status, json, _) = await CitasKit.SendAsync(staff, HttpMethod.Post, url, body);
            Assert.True(expected == status, $"{url}: {status} {json}");
            return json;
        }
        await Ok("/api/turns/tickets", new { office = svc.OfficeCode, serviceId = svc.ServiceId }, HttpStatusCode.Created);
        await Ok("/api/turns/desk", new { office = svc.OfficeCode, name = "Ventanilla 1" });
        var id = (await Ok("/api/turns/next", new { })).GetProperty("id").GetInt64();
        await Ok($"/api/turns/{id}/start", new { });
        return (await Ok($"/api/turns/{id}/finish", new { notes = "Atendido" })).GetProperty("surveyKey").GetString()!;
    }

    private const string SurveyState = "() => document.getElementById('main').dataset.ovState";

    [Fact]
    public async Task A_citizen_answers_the_survey_once_on_a_360_px_phone()
    {
        var key = await ServedVisitSurveyKeyAsync();
        var page = await PageAsync(360, 740);
        await page.GotoAsync(Url($"/citas/encuesta/#{key}"));
        await WaitAsync(page, $"() => ({SurveyState})() === 'ready'");
        // a second phone opens the same survey before the first answers: it will get the 409
        var late = await PageAsync(360, 740, "/api/surveys/");
        await late.GotoAsync(Url($"/citas/encuesta/#{key}"));
        await WaitAsync(late, $"() => ({SurveyState})() === 'ready'");

        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "no horizontal scroll at 360 px");
        Assert.Contains("¿Cómo le atendimos?", await page.TextContentAsync("legend"));
        Assert.Equal(5, await page.GetByRole(AriaRole.Radio).CountAsync());
        var four = page.GetByRole(AriaRole.Radio, new() { Name = "4 Bien", Exact = true });
        var box = await page.Locator("label.score").First.BoundingBoxAsync();
        Assert.True(box is { Height: >= 44, Width: >= 44 }, "big touch targets");
        await four.CheckAsync();
        Assert.True(await four.IsCheckedAsync());

        const string comment = "Atención rápida y amable; el trámite salió en diez minutos. ¡Gracias, señorita Núñez!";
        await page.FillAsync("#comment", comment);
        Assert.Equal($"{comment.Length} de 500 caracteres", (await page.TextContentAsync("#comment-count"))!.Trim());
        Assert.Equal(500, await page.EvaluateAsync<int>("() => document.getElementById('comment').maxLength"));
        await page.ClickAsync("#send");
        await WaitAsync(page, $"() => ({SurveyState})() === 'thanks'");
        Assert.Contains("Gracias", await page.TextContentAsync("#thanks"));
        Assert.Equal(4, await f.ScalarAsync<int>("SELECT s.score FROM appointments.surveys s JOIN appointments.turns t ON t.id = s.turn_id WHERE t.survey_key = @k", ("k", key)));
        Assert.Equal(comment, await f.ScalarAsync<string>("SELECT s.comment FROM appointments.surveys s JOIN appointments.turns t ON t.id = s.turn_id WHERE t.survey_key = @k", ("k", key)));

        // opened again: already answered, no form
        await page.ReloadAsync();
        await WaitAsync(page, $"() => ({SurveyState})() === 'answered'");
        Assert.Contains("ya fue respondida", await page.TextContentAsync("#view-status"));
        Assert.True(await page.Locator("#survey-form").IsHiddenAsync());

        // the second phone sends its answer: the server's 409 says so, and the first answer stands
        await late.GetByRole(AriaRole.Radio, new() { Name = "1 Muy mal", Exact = true }).CheckAsync();
        await late.ClickAsync("#send");
        await WaitAsync(late, $"() => ({SurveyState})() === 'answered'");
        Assert.Contains("ya fue respondida", await late.TextContentAsync("#view-status"));
        Assert.Equal(4, await f.ScalarAsync<int>("SELECT s.score FROM appointments.surveys s JOIN appointments.turns t ON t.id = s.turn_id WHERE t.survey_key = @k", ("k", key)));

        // an unknown key says so
        var unknown = await PageAsync(360, 740, "/api/surveys/");
        await unknown.GotoAsync(Url("/citas/encuesta/#" + new string('z', 32)));
        await WaitAsync(unknown, $"() => ({SurveyState})() === 'unknown'");
        Assert.Contains("No encontramos esta encuesta", await unknown.TextContentAsync("#view-status"));
        NoErrors();
    }
}
