// A visit's live status as staff read it, from the visit and the clock.
import { serverNow } from "./clock.js";
import { duration, minutesBetween } from "./format.js";

/** {key, label} where key is one of scheduled, late, on-site, done, missed, cancelled. */
export function liveStatus(visit, fmt, now = serverNow()) {
  switch (visit.status) {
    case "IN_PROGRESS":
      return {
        key: "on-site",
        label: `Sur place depuis ${fmt.time(visit.checkedInAt ?? visit.scheduledStart)}`,
      };
    case "COMPLETED":
      return {
        key: "done",
        label: visit.checkedOutAt ? `Terminée à ${fmt.time(visit.checkedOutAt)}` : "Terminée",
      };
    case "MISSED":
      return { key: "missed", label: "Manquée" };
    case "CANCELLED":
      return { key: "cancelled", label: "Annulée" };
    default: {
      const start = new Date(visit.scheduledStart);
      if (visit.late || now > start) {
        return { key: "late", label: `En retard de ${duration(minutesBetween(start, now))}` };
      }
      return { key: "scheduled", label: "Prévue" };
    }
  }
}

export const EVENT_LABELS = {
  SCHEDULED: "Planifiée",
  RESCHEDULED: "Déplacée",
  REASSIGNED: "Réattribuée",
  CANCELLED: "Annulée",
  ARRIVED: "Arrivée",
  DEPARTED: "Départ",
  LATE: "Retard",
  MISSED: "Manquée",
  ANOMALY_FLAGGED: "Pointage à vérifier",
  ANOMALY_RESOLVED: "Pointage corrigé",
};

/** What an event changes on a visit we already hold, without asking the server. */
export function applyEvent(visit, event) {
  visit.status = event.intervention.status;
  if (event.type === "ARRIVED") visit.checkedInAt = event.occurredAt;
  if (event.type === "DEPARTED") visit.checkedOutAt = event.occurredAt;
  if (event.type === "LATE") visit.late = true;
}

/** Events after which the visit's slot, worker or address may differ: read it again. */
export const REFETCH_ON = new Set(["SCHEDULED", "RESCHEDULED", "REASSIGNED", "CANCELLED"]);
