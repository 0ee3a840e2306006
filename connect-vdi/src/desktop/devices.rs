//! Device enumeration, selection and hot-plug through the engine (never a local device API
//! while redirecting).

use std::sync::PoisonError;

use tracing::warn;

use super::redirected::Inner;
use super::RedirectedMediaEngine;
use crate::platform::{DeviceId, MediaDevice, VdiPlatformKind};
use crate::protocol::{
    DeviceInfo, DeviceKind, DeviceList, Request, SetDeviceParams, SetDeviceResult,
};
use crate::{VdiError, VdiEvent};

impl RedirectedMediaEngine {
    /// The endpoint's devices.
    pub async fn enumerate_devices(&self) -> Result<Vec<MediaDevice>, VdiError> {
        let link = self
            .inner
            .link()
            .await
            .map_err(|l| VdiError::RedirectionUnavailable {
                reason: l.reason,
                message: l.message,
            })?;
        let list: DeviceList = link
            .call(
                &Request::EnumerateDevices,
                self.inner.config.request_timeout,
            )
            .await?;
        let devices: Vec<MediaDevice> = list
            .devices
            .iter()
            .map(|d| MediaDevice::from_wire(VdiPlatformKind::Engine, d))
            .collect();
        *self
            .inner
            .devices
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = devices.clone();
        Ok(devices)
    }

    /// Selects an endpoint device, during or between calls; an input choice persists for the
    /// next calls. Ids from another platform are rejected.
    pub async fn select_device(
        &self,
        kind: DeviceKind,
        id: &DeviceId,
    ) -> Result<MediaDevice, VdiError> {
        if id.platform != VdiPlatformKind::Engine {
            return Err(VdiError::DeviceNotFound(format!(
                "{} was issued by {}, not the endpoint engine",
                id.id, id.platform
            )));
        }
        let link = self
            .inner
            .link()
            .await
            .map_err(|l| VdiError::RedirectionUnavailable {
                reason: l.reason,
                message: l.message,
            })?;
        let request = Request::SetDevice(SetDeviceParams {
            kind,
            device_id: id.id.clone(),
        });
        let chosen: SetDeviceResult = link
            .call(&request, self.inner.config.request_timeout)
            .await
            .map_err(|e| match e {
                VdiError::Rpc {
                    code: crate::protocol::codes::DEVICE_NOT_FOUND,
                    message,
                    ..
                } => VdiError::DeviceNotFound(message),
                other => other,
            })?;
        if kind == DeviceKind::AudioInput {
            *self
                .inner
                .selected_input
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(chosen.device_id.clone());
        }
        Ok(MediaDevice {
            id: DeviceId::new(VdiPlatformKind::Engine, chosen.device_id),
            kind,
            label: chosen.label,
            group_id: String::new(),
            is_default: false,
        })
    }
}

impl Inner {
    /// A `deviceChange`: `DeviceLost` first if the selected input vanished (back to the
    /// default), then the new list.
    pub(super) fn on_device_change(&self, list: &[DeviceInfo]) {
        let devices: Vec<MediaDevice> = list
            .iter()
            .map(|d| MediaDevice::from_wire(VdiPlatformKind::Engine, d))
            .collect();
        let mut selected = self
            .selected_input
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(id) = selected.clone() {
            if !devices
                .iter()
                .any(|d| d.kind == DeviceKind::AudioInput && d.id.id == id)
            {
                let previous = self
                    .devices
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .iter()
                    .find(|d| d.id.id == id)
                    .cloned();
                warn!(target: "connect_vdi", device = %id, "selected microphone disappeared; using the default");
                *selected = None;
                self.hub
                    .emit(VdiEvent::DeviceLost(previous.unwrap_or(MediaDevice {
                        id: DeviceId::new(VdiPlatformKind::Engine, id),
                        kind: DeviceKind::AudioInput,
                        label: String::new(),
                        group_id: String::new(),
                        is_default: false,
                    })));
            }
        }
        *self.devices.lock().unwrap_or_else(PoisonError::into_inner) = devices.clone();
        self.hub.emit(VdiEvent::DeviceChange(devices));
    }
}
