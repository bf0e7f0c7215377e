const calendarElement = document.getElementById("campaign-calendar");
const calendarStatus = document.getElementById("calendar-status");
if (calendarElement) {
  const calendar = new FullCalendar.Calendar(calendarElement, {
    initialView: "dayGridMonth",
    height: "auto",
    events: calendarElement.dataset.feed,
    // FullCalendar reports loading(false) after the source's outcome: leave that outcome's message.
    loading: (isLoading) => {
      if (isLoading) calendarStatus.textContent = "Loading the calendar…";
    },
    eventSourceSuccess: (entries) => {
      calendarStatus.textContent = entries.length ? "" : "No campaign activity in this month.";
      return entries;
    },
    eventSourceFailure: () => {
      calendarStatus.textContent = "The calendar could not be loaded. Please try again.";
    },
  });
  calendar.render();
}
